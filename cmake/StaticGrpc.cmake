# linecrew_add_static_executable(<name> SOURCES <src...> FROM <library-target>
#                                [PKG_MODULES <pkg-config modules...>])
# Builds <name> fully statically (-static): for shipping one self-contained
# binary to the handhelds. The project's own static libraries reachable from
# FROM are linked by file, and every imported dependency (gRPC, protobuf,
# abseil, SQLite, OpenSSL, ...) is replaced by the static link line of
# `pkg-config --static --libs <PKG_MODULES>` (PKG_CONFIG_LIBDIR comes from the
# cross toolchain file, so the target's .pc files are read).
#
# Why a separate target: the imported targets (gRPC::grpc++, protobuf::libprotobuf,
# SQLite::SQLite3) name the shared objects by full path, and `ld -static` rejects
# those ("attempted static link of dynamic object"). Sources are compiled in an
# OBJECT library that links FROM only for its usage requirements (include
# directories, definitions); its objects are then used as plain sources, so no
# shared library reaches the static link line.
#
# Caveat: static glibc still dlopen()s the NSS modules for getaddrinfo and
# getpwnam at run time, which a handheld without the matching glibc lacks; give
# the device numeric server addresses (HOST as an IP literal).
include_guard(GLOBAL)

# Imported targets whose libraries the pkg-config static line provides, or which
# are header-only. Anything else imported fails the configure step loudly.
set(LINECREW_STATIC_COVERED_IMPORTS
    "^gRPC::" "^protobuf::" "^absl::" "^SQLite::" "^Threads::Threads$" "^OpenSSL::" "^ZLIB::"
    "^re2::" "^c-ares::" "^Boost::headers$" "^Boost::boost$" "^nlohmann_json::")

# Collects, depth-first, the non-imported static libraries reachable from <target>.
function(_linecrew_static_walk target out_var)
  set(libs ${${out_var}})
  foreach(prop LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(deps ${target} ${prop})
    if(NOT deps)
      continue()
    endif()
    foreach(dep IN LISTS deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" dep "${dep}")
      if(NOT TARGET "${dep}")
        if(dep MATCHES "^-")
          continue()  # a plain flag; the static line has its own
        endif()
        message(FATAL_ERROR "LINECREW_DEVICE_STATIC: ${target} links '${dep}', which is not a target; "
                            "add its static equivalent to cmake/StaticGrpc.cmake")
      endif()
      get_target_property(aliased ${dep} ALIASED_TARGET)
      if(aliased)
        set(dep ${aliased})
      endif()
      get_target_property(imported ${dep} IMPORTED)
      if(imported)
        set(covered OFF)
        foreach(pattern IN LISTS LINECREW_STATIC_COVERED_IMPORTS)
          if(dep MATCHES "${pattern}")
            set(covered ON)
          endif()
        endforeach()
        if(NOT covered)
          message(FATAL_ERROR "LINECREW_DEVICE_STATIC: ${target} links imported '${dep}', which the "
                              "pkg-config static line does not cover; extend cmake/StaticGrpc.cmake")
        endif()
        continue()
      endif()
      get_target_property(type ${dep} TYPE)
      if(type STREQUAL "INTERFACE_LIBRARY")
        continue()
      endif()
      if(NOT type STREQUAL "STATIC_LIBRARY")
        message(FATAL_ERROR "LINECREW_DEVICE_STATIC: ${dep} is a ${type}, expected a static library")
      endif()
      if(NOT dep IN_LIST libs)
        list(APPEND libs ${dep})
        _linecrew_static_walk(${dep} libs)
      endif()
    endforeach()
  endforeach()
  set(${out_var} ${libs} PARENT_SCOPE)
endfunction()

function(linecrew_add_static_executable name)
  cmake_parse_arguments(arg "" "FROM" "SOURCES;PKG_MODULES" ${ARGN})
  find_package(PkgConfig REQUIRED)
  execute_process(COMMAND ${PKG_CONFIG_EXECUTABLE} --static --libs ${arg_PKG_MODULES}
                  OUTPUT_VARIABLE pkg_libs RESULT_VARIABLE pkg_rc ERROR_VARIABLE pkg_err
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT pkg_rc EQUAL 0)
    message(FATAL_ERROR "pkg-config --static --libs ${arg_PKG_MODULES} failed: ${pkg_err}")
  endif()
  separate_arguments(pkg_libs UNIX_COMMAND "${pkg_libs}")

  set(internal ${arg_FROM})
  _linecrew_static_walk(${arg_FROM} internal)
  set(internal_files)
  foreach(lib IN LISTS internal)
    list(APPEND internal_files "$<TARGET_FILE:${lib}>")
  endforeach()

  add_library(${name}_objects OBJECT ${arg_SOURCES})
  target_link_libraries(${name}_objects PRIVATE ${arg_FROM})
  linecrew_warnings(${name}_objects)

  add_executable(${name} $<TARGET_OBJECTS:${name}_objects>)
  add_dependencies(${name} ${internal})
  # One group: the order between our libraries and pkg-config's line does not matter.
  target_link_libraries(${name} PRIVATE -Wl,--start-group ${internal_files} ${pkg_libs} -Wl,--end-group)
  target_link_options(${name} PRIVATE -static)
  message(STATUS "${name}: fully static (${internal}; pkg-config --static ${arg_PKG_MODULES})")
endfunction()
