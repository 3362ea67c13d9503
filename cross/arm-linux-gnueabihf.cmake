# Cross build for 32-bit ARM (armhf) handhelds: cmake -DCMAKE_TOOLCHAIN_FILE=cross/arm-linux-gnueabihf.cmake
set(LINECREW_TRIPLET arm-linux-gnueabihf)
set(LINECREW_PROCESSOR armv7l)
set(LINECREW_QEMU qemu-arm)
include(${CMAKE_CURRENT_LIST_DIR}/linux-multiarch.cmake)
