# outreach_add_plugin(NAME <name> SOURCES <files>... [LINK <targets>...] [NO_INSTALL])
#
# Builds a campaign plugin the way the host expects: a MODULE library named
# lib<name>.so, hidden visibility (only the OUTREACH_PLUGIN symbols are exported),
# linked against liboutreach, installed into <libdir>/outreach/plugins.
# Used by the built-in plugins and by out-of-tree authors alike.
include_guard(GLOBAL)

function(outreach_add_plugin)
  cmake_parse_arguments(ARG "NO_INSTALL" "NAME" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_NAME)
    message(FATAL_ERROR "outreach_add_plugin: NAME is required")
  endif()
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "outreach_add_plugin(${ARG_NAME}): SOURCES is required")
  endif()
  add_library(${ARG_NAME} MODULE ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE Outreach::outreach ${ARG_LINK})
  set_target_properties(${ARG_NAME} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    # Installed in <libdir>/outreach/plugins: liboutreach is two levels up. (The
    # host has loaded it already; this keeps `ldd` on a plugin honest.)
    INSTALL_RPATH "$ORIGIN/../..")
  if(DEFINED OUTREACH_PLUGIN_OUTPUT_DIR)
    set_target_properties(${ARG_NAME} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${OUTREACH_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT ARG_NO_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS ${ARG_NAME} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/outreach/plugins)
  endif()
endfunction()
