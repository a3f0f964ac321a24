# Debian package: `cpack -G DEB` in the build directory makes outreach_<version>_<arch>.deb
# from the same install rules as `cmake --install`, rooted at /usr.
#
# Configure the build with -DCMAKE_INSTALL_PREFIX=/usr to get Debian's multiarch
# libdir (lib/x86_64-linux-gnu): GNUInstallDirs only picks it for that prefix. Either
# way the package works: the executable's RPATH is $ORIGIN/../<libdir> and the plugin
# host looks for plugins under <prefix>/<libdir>/outreach/plugins, then <prefix>/lib/...
include_guard(GLOBAL)

if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "Outreach packaging: CMAKE_INSTALL_PREFIX is ${CMAKE_INSTALL_PREFIX}; the .deb installs "
                 "under /usr with libdir '${CMAKE_INSTALL_LIBDIR}' (configure with -DCMAKE_INSTALL_PREFIX=/usr "
                 "for the multiarch libdir)")
endif()

set(CPACK_PACKAGE_NAME outreach)
set(CPACK_PACKAGE_VENDOR "Outreach project")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
# The extended description of debian/control; CPack puts the summary line first.
# One string (not a list), broken into lines of at most 80 columns.
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "Outreach runs diplomatic outreach campaigns by letter: campaign plugins\n"
  "build workflows of milestones and steps, a durable scheduler fires them\n"
  "exactly once, and letters are rendered from editable templates into a\n"
  "Maildir outbox or sent over SMTP. The package ships the outreach command,\n"
  "liboutreach with its plugin SDK (headers and CMake package), the built-in\n"
  "campaign types, the UN Member States roster, letter templates and an\n"
  "example configuration.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_PACKAGE_NAME outreach)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Outreach maintainers <outreach-maintainers@example.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.org/outreach")
# Shared-library dependencies come from dpkg-shlibdeps; liboutreach itself is in the
# package, so its directory is private to dpkg-shlibdeps. tzdata is read at run time
# (date/tz uses the system zone database) and so is invisible to it.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
    ${PROJECT_BINARY_DIR}/lib ${PROJECT_BINARY_DIR}/lib/outreach/plugins)
set(CPACK_DEBIAN_PACKAGE_DEPENDS tzdata)
# What building an out-of-tree plugin against the shipped SDK takes (docs/plugin-guide.md).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "g++, cmake, libboost-dev, libspdlog-dev")
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

include(CPack)
