# Cross build for 64-bit ARM handhelds: cmake -DCMAKE_TOOLCHAIN_FILE=cross/aarch64-linux-gnu.cmake
set(LINECREW_TRIPLET aarch64-linux-gnu)
set(LINECREW_PROCESSOR aarch64)
set(LINECREW_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-multiarch.cmake)
