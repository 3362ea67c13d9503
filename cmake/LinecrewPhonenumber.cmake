# linecrew::phonenumber: libphonenumber from Debian's libphonenumber-dev, which
# ships no CMake config and no .pc file. core links it (phone numbers are
# normalised and validated there), so every architecture core is built for
# needs the package: scripts/setup.sh installs it for amd64, arm64 and armhf,
# and the cross toolchain files make find_library look in the target's
# multiarch directory (/usr/lib/<triplet>). Its headers include generated
# protobuf code and abseil; it links Debian's libprotobuf, the project's own.
include_guard(GLOBAL)
find_library(LINECREW_PHONENUMBER phonenumber REQUIRED)
find_path(LINECREW_PHONENUMBER_INCLUDE phonenumbers/phonenumberutil.h REQUIRED)
add_library(linecrew::phonenumber UNKNOWN IMPORTED)
set_target_properties(
  linecrew::phonenumber PROPERTIES IMPORTED_LOCATION "${LINECREW_PHONENUMBER}"
                                   INTERFACE_INCLUDE_DIRECTORIES "${LINECREW_PHONENUMBER_INCLUDE}"
                                   INTERFACE_LINK_LIBRARIES protobuf::libprotobuf)
