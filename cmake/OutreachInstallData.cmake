# Installs what `outreach` reads besides its code, at the places the executable
# looks for them relative to its own prefix (core/src/plugins/plugin_host.cpp):
#
#   <prefix>/share/outreach/templates/<type>/*.mustache   searched after a config's own templates
#   <prefix>/share/outreach/rosters/                       the shipped roster (and its ODbL attribution)
#   <prefix>/share/outreach/calendars/                     business calendars (UN Headquarters' holidays)
#   <prefix>/share/outreach/examples/config/               an example operator configuration
#   <prefix>/lib/systemd/system/outreach.service           the daemon's unit, when the project ships one
#   <prefix>/share/doc/outreach/                           the operator and plugin-author documentation
#
# The data directories are fixed ("share/outreach", not the project name) because
# installed_data_dir() is <prefix>/share/outreach whatever CMAKE_INSTALL_DATAROOTDIR says.
include_guard(GLOBAL)
include(GNUInstallDirs)

set(OUTREACH_INSTALL_DATADIR share/outreach)
set(OUTREACH_CONFIG_SOURCE_DIR ${PROJECT_SOURCE_DIR}/config)

install(DIRECTORY ${OUTREACH_CONFIG_SOURCE_DIR}/templates/
        DESTINATION ${OUTREACH_INSTALL_DATADIR}/templates)
install(DIRECTORY ${OUTREACH_CONFIG_SOURCE_DIR}/rosters/
        DESTINATION ${OUTREACH_INSTALL_DATADIR}/rosters)
install(DIRECTORY ${OUTREACH_CONFIG_SOURCE_DIR}/calendars/
        DESTINATION ${OUTREACH_INSTALL_DATADIR}/calendars)

# The example configuration, laid out as in the source tree so its relative paths
# hold. It has no templates/ of its own: the installed ones are found through the
# prefix. Its campaigns name ../rosters/un-states.toml and outreach.toml names
# calendars/un-headquarters.toml, so rosters/ and calendars/ are relative symlinks
# to the installed ones rather than second copies.
set(OUTREACH_EXAMPLE_CONFIG_DIR ${OUTREACH_INSTALL_DATADIR}/examples/config)
install(FILES ${OUTREACH_CONFIG_SOURCE_DIR}/outreach.toml DESTINATION ${OUTREACH_EXAMPLE_CONFIG_DIR})
foreach(example_dir campaigns responses)
  if(IS_DIRECTORY ${OUTREACH_CONFIG_SOURCE_DIR}/${example_dir})
    install(DIRECTORY ${OUTREACH_CONFIG_SOURCE_DIR}/${example_dir}/
            DESTINATION ${OUTREACH_EXAMPLE_CONFIG_DIR}/${example_dir})
  endif()
endforeach()
install(CODE [[
  foreach(shared rosters calendars)
    set(link "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/share/outreach/examples/config/${shared}")
    if(NOT IS_SYMLINK "${link}" AND NOT EXISTS "${link}")
      message(STATUS "Installing: ${link} -> ../../${shared}")
      file(CREATE_LINK ../../${shared} "${link}" SYMBOLIC)
    endif()
  endforeach()
]])

# Debian keeps units under /lib/systemd/system (merged /usr: /usr/lib/...); this
# is not the multiarch libdir, hence the literal path.
if(EXISTS ${OUTREACH_CONFIG_SOURCE_DIR}/systemd/outreach.service)
  install(FILES ${OUTREACH_CONFIG_SOURCE_DIR}/systemd/outreach.service DESTINATION lib/systemd/system)
endif()

set(OUTREACH_INSTALL_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/outreach)
# The examples are sources: not the build/ or var/ a reader may have made inside one.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${OUTREACH_INSTALL_DOCDIR}
        REGEX "/examples/[^/]+/(build|var)$" EXCLUDE)
if(EXISTS ${PROJECT_SOURCE_DIR}/README.md)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${OUTREACH_INSTALL_DOCDIR})
endif()
