# Shared part of the Debian multiarch toolchain files. The including file sets
# LINECREW_TRIPLET (e.g. aarch64-linux-gnu), LINECREW_PROCESSOR and LINECREW_QEMU.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${LINECREW_PROCESSOR})
set(CMAKE_C_COMPILER ${LINECREW_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${LINECREW_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${LINECREW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH /usr/${LINECREW_TRIPLET} /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)  # host protoc and grpc_cpp_plugin
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Without this, gRPC's Findre2 picks the host's libraries ("file in wrong format").
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${LINECREW_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
# ctest runs the target's tests through qemu-user. No -L: with the multiarch
# libc installed, -L pairs the wrong loader and gRPC spins at start-up.
find_program(LINECREW_QEMU_BIN NAMES ${LINECREW_QEMU} ${LINECREW_QEMU}-static REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR ${LINECREW_QEMU_BIN})
