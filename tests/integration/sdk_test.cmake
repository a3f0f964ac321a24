# The plugin author's path, end to end (issue 5): install the build into a temporary
# prefix, build docs/examples/convention_drive against it with find_package(Outreach),
# and load, validate and simulate it with the INSTALLED `outreach`.
#
#   cmake -DBUILD_DIR=<build> -DSOURCE_DIR=<source> -DWORK_DIR=<scratch>
#         [-DINSTALL_LIBDIR=lib] -P sdk_test.cmake
cmake_minimum_required(VERSION 3.20)

foreach(required BUILD_DIR SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "sdk test: pass -D${required}=...")
  endif()
endforeach()
if(NOT DEFINED INSTALL_LIBDIR)
  set(INSTALL_LIBDIR lib)
endif()

set(PREFIX ${WORK_DIR}/prefix)
set(EXAMPLE_SOURCE ${SOURCE_DIR}/docs/examples/convention_drive)
set(EXAMPLE ${WORK_DIR}/convention_drive)
set(OUTREACH ${PREFIX}/bin/outreach)
set(GUIDE ${SOURCE_DIR}/docs/plugin-guide.md)

# Runs one step; on failure stops the test with the step's name, command and output.
# The installed executable must find liboutreach through its RPATH, so the
# environment's LD_LIBRARY_PATH is dropped.
function(run_step name)
  cmake_parse_arguments(ARG "" "OUTPUT_VARIABLE;EXPECT_EXIT" "COMMAND" ${ARGN})
  if(NOT DEFINED ARG_EXPECT_EXIT)
    set(ARG_EXPECT_EXIT 0)
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ${ARG_COMMAND}
                  RESULT_VARIABLE exit_code OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT exit_code STREQUAL ARG_EXPECT_EXIT)
    string(REPLACE ";" " " shown "${ARG_COMMAND}")
    message(FATAL_ERROR "sdk test: step '${name}' failed (exit ${exit_code}, expected ${ARG_EXPECT_EXIT})\n"
                        "command: ${shown}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  message(STATUS "ok: ${name}")
  if(ARG_OUTPUT_VARIABLE)
    set(${ARG_OUTPUT_VARIABLE} "${out}" PARENT_SCOPE)
  endif()
endfunction()

function(expect_in name haystack needle)
  string(FIND "${haystack}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "sdk test: ${name}: expected to find '${needle}' in:\n${haystack}")
  endif()
endfunction()

function(expect_file name path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "sdk test: ${name}: ${path} is missing")
  endif()
endfunction()

# ---- 1. the guide shows the example verbatim ----------------------------------------
# Every fenced block preceded by `<!-- example: FILE -->` is part of FILE; the
# blocks of one file, concatenated, must be the example's file byte for byte.
file(READ "${GUIDE}" guide)
set(guide_files "")
set(rest "${guide}")
while(TRUE)
  string(FIND "${rest}" "<!-- example: " marker)
  if(marker EQUAL -1)
    break()
  endif()
  math(EXPR name_start "${marker} + 14")
  string(SUBSTRING "${rest}" ${name_start} -1 rest)
  string(FIND "${rest}" " -->" name_end)
  string(SUBSTRING "${rest}" 0 ${name_end} example_file)
  string(FIND "${rest}" "```" fence)
  string(SUBSTRING "${rest}" ${fence} -1 rest)
  string(FIND "${rest}" "\n" body_start)
  math(EXPR body_start "${body_start} + 1")
  string(SUBSTRING "${rest}" ${body_start} -1 rest)
  string(FIND "${rest}" "\n```" body_end)
  if(body_end EQUAL -1)
    message(FATAL_ERROR "sdk test: ${GUIDE}: the block for ${example_file} is not closed")
  endif()
  math(EXPR body_length "${body_end} + 1")
  string(SUBSTRING "${rest}" 0 ${body_length} body)
  string(SUBSTRING "${rest}" ${body_length} -1 rest)
  string(MAKE_C_IDENTIFIER "${example_file}" key)
  if(NOT DEFINED guide_block_${key})
    list(APPEND guide_files "${example_file}")
    set(guide_block_${key} "")
  endif()
  string(APPEND guide_block_${key} "${body}")
endwhile()
# All of the example but its five-State roster, which is data, not a lesson.
file(GLOB example_files RELATIVE "${EXAMPLE_SOURCE}" "${EXAMPLE_SOURCE}/CMakeLists.txt" "${EXAMPLE_SOURCE}/*.cpp"
     "${EXAMPLE_SOURCE}/templates/*/*.mustache" "${EXAMPLE_SOURCE}/config/*.toml"
     "${EXAMPLE_SOURCE}/config/campaigns/*.toml" "${EXAMPLE_SOURCE}/config/responses/*.toml")
foreach(example_file IN LISTS example_files)
  string(MAKE_C_IDENTIFIER "${example_file}" key)
  if(NOT DEFINED guide_block_${key})
    message(FATAL_ERROR "sdk test: ${GUIDE} does not show docs/examples/convention_drive/${example_file}")
  endif()
  file(READ "${EXAMPLE_SOURCE}/${example_file}" actual)
  if(NOT actual STREQUAL guide_block_${key})
    file(WRITE "${WORK_DIR}/guide-${key}.txt" "${guide_block_${key}}")
    message(FATAL_ERROR "sdk test: ${GUIDE} and docs/examples/convention_drive/${example_file} differ "
                        "(the guide's text is in ${WORK_DIR}/guide-${key}.txt)")
  endif()
endforeach()
foreach(example_file IN LISTS guide_files)
  if(NOT EXISTS "${EXAMPLE_SOURCE}/${example_file}")
    message(FATAL_ERROR "sdk test: ${GUIDE} shows ${example_file}, which docs/examples/convention_drive lacks")
  endif()
endforeach()
message(STATUS "ok: the guide shows the example's files verbatim")

# ---- 2. install into a temporary prefix ----------------------------------------------
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
run_step("cmake --install into ${PREFIX}" COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX})
foreach(installed
    bin/outreach
    include/outreach/plugin.hpp
    ${INSTALL_LIBDIR}/cmake/Outreach/OutreachConfig.cmake
    ${INSTALL_LIBDIR}/cmake/Outreach/OutreachConfigVersion.cmake
    ${INSTALL_LIBDIR}/cmake/Outreach/OutreachTargets.cmake
    ${INSTALL_LIBDIR}/cmake/Outreach/OutreachPlugin.cmake
    ${INSTALL_LIBDIR}/outreach/plugins/liboutreach_treaty_event.so
    share/outreach/templates/treaty_event/invitation.mustache
    share/outreach/rosters/un-states.toml
    share/outreach/examples/config/outreach.toml
    share/outreach/examples/config/rosters/un-states.toml
    share/doc/outreach/plugin-guide.md)
  expect_file("install" "${PREFIX}/${installed}")
endforeach()
file(GLOB core_library "${PREFIX}/${INSTALL_LIBDIR}/liboutreach.so*")
if(NOT core_library)
  message(FATAL_ERROR "sdk test: install: no liboutreach.so in ${PREFIX}/${INSTALL_LIBDIR}")
endif()

# ---- 3. the installed outreach runs its own example configuration ------------------------
# That configuration has no templates/ of its own: the letters' templates must come
# from <prefix>/share/outreach/templates, the plugins from <prefix>/<libdir>/outreach/plugins.
set(INSTALLED_EXAMPLE_CONFIG ${PREFIX}/share/outreach/examples/config/outreach.toml)
if(EXISTS "${PREFIX}/share/outreach/examples/config/templates")
  message(FATAL_ERROR "sdk test: the installed example configuration must not carry its own templates/")
endif()
run_step("installed outreach validates the installed example configuration"
         COMMAND ${OUTREACH} -c ${INSTALLED_EXAMPLE_CONFIG} validate OUTPUT_VARIABLE out)
expect_in("validate (installed example)" "${out}" "configuration is valid")

# ---- 4. build the example plugin against the install ------------------------------------
file(COPY "${EXAMPLE_SOURCE}/" DESTINATION "${EXAMPLE}" PATTERN build EXCLUDE PATTERN var EXCLUDE)
run_step("configure docs/examples/convention_drive with find_package(Outreach)"
         COMMAND ${CMAKE_COMMAND} -S ${EXAMPLE} -B ${EXAMPLE}/build -DCMAKE_PREFIX_PATH=${PREFIX}
                 -DCMAKE_BUILD_TYPE=Debug -DCMAKE_INSTALL_PREFIX=${PREFIX} -DCMAKE_INSTALL_LIBDIR=${INSTALL_LIBDIR}
                 "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror")
run_step("build the example plugin" COMMAND ${CMAKE_COMMAND} --build ${EXAMPLE}/build -j2)
expect_file("build" "${EXAMPLE}/build/libconvention_drive.so")

# ---- 5. load, validate, describe and simulate it with the installed outreach ----------------
set(EXAMPLE_CONFIG ${EXAMPLE}/config/outreach.toml)  # plugin_dirs = ["../build"]
run_step("outreach plugins" COMMAND ${OUTREACH} -c ${EXAMPLE_CONFIG} plugins OUTPUT_VARIABLE out)
expect_in("plugins" "${out}" "convention_drive")
expect_in("plugins" "${out}" "treaty_event")

run_step("outreach plugins --describe convention_drive"
         COMMAND ${OUTREACH} -c ${EXAMPLE_CONFIG} plugins --describe convention_drive OUTPUT_VARIABLE out)
foreach(described follow_up_rule reminder_days_before intends_to_sign declined)
  expect_in("plugins --describe" "${out}" "${described}")
endforeach()

run_step("outreach validate" COMMAND ${OUTREACH} -c ${EXAMPLE_CONFIG} validate OUTPUT_VARIABLE out)
expect_in("validate" "${out}" "ok  crpd2007 (convention_drive, 5 States, 4 steps)")

# Counts the letters of each step in a simulation's outbox (by the X-Outreach-Key
# header, campaign/step/occurrence/recipient) and compares with "step=count" pairs.
function(expect_letters name state_dir total)
  file(GLOB delivered "${state_dir}/outbox/new/*")
  list(LENGTH delivered delivered_count)
  if(NOT delivered_count EQUAL total)
    message(FATAL_ERROR "sdk test: ${name}: expected ${total} messages in ${state_dir}/outbox/new, "
                        "found ${delivered_count}")
  endif()
  foreach(expected IN LISTS ARGN)
    string(REPLACE "=" ";" expected "${expected}")
    list(GET expected 0 step)
    list(GET expected 1 wanted)
    set(found 0)
    foreach(message_file IN LISTS delivered)
      file(STRINGS "${message_file}" key_line REGEX "^X-Outreach-Key: crpd2007/${step}/" LIMIT_COUNT 1)
      if(key_line)
        math(EXPR found "${found} + 1")
      endif()
    endforeach()
    if(NOT found EQUAL wanted)
      message(FATAL_ERROR "sdk test: ${name}: expected ${wanted} letters of step '${step}', found ${found}")
    endif()
  endforeach()
endfunction()

# Without responses: crpd2007 writes to 5 States' foreign ministers: the invitation
# (30 March 2007), the reply reminder (18 June) and follow-ups every three months from
# 3 July 2007 until 31 March 2008 (3 July, 3 October, 3 January): 25 letters, no tasks.
run_step("outreach simulate"
         COMMAND ${OUTREACH} -c ${EXAMPLE_CONFIG} simulate --from 2007-03-01 --to 2008-03-31
                 --state-dir ${WORK_DIR}/simulation --summary
         OUTPUT_VARIABLE out)
expect_in("simulate" "${out}" "25 letters and 0 tasks delivered")
expect_letters("simulate" ${WORK_DIR}/simulation 25 invitation=5 reply_reminder=5 follow_up=15 thanks=0)

# With the example's scripted responses the audiences shrink (see the script):
# invitation 5; thanks to Mexico 1; reminder to the 3 States without any answer;
# follow-ups to those that neither signed nor declined: 3 in July, 2 in October and
# January. The October follow-up lists the two signatories (firing values).
set(STATE_DIR ${WORK_DIR}/simulation-with-responses)
run_step("outreach simulate --responses"
         COMMAND ${OUTREACH} -c ${EXAMPLE_CONFIG} simulate --from 2007-03-01 --to 2008-03-31
                 --responses ${EXAMPLE}/config/responses/crpd2007-responses.toml --state-dir ${STATE_DIR} --summary
         OUTPUT_VARIABLE out)
expect_in("simulate --responses" "${out}" "16 letters and 0 tasks delivered")
expect_letters("simulate --responses" ${STATE_DIR} 16 invitation=5 thanks=1 reply_reminder=3 follow_up=7)
file(GLOB delivered "${STATE_DIR}/outbox/new/*")
set(october_letter "")
foreach(message_file IN LISTS delivered)
  file(STRINGS "${message_file}" key_line REGEX "^X-Outreach-Key: crpd2007/follow_up/2007-10-03T09:00/CIV/")
  if(key_line)
    set(october_letter "${message_file}")
  endif()
endforeach()
if(NOT october_letter)
  message(FATAL_ERROR "sdk test: simulate --responses: no follow-up to CIV on 2007-10-03 in ${STATE_DIR}")
endif()
file(READ "${october_letter}" body)
expect_in("follow-up of 3 October 2007" "${body}" "- Mexico\n- New Zealand\n")

# ---- 6. install the plugin next to the built-in ones ----------------------------------------
run_step("cmake --install the example plugin" COMMAND ${CMAKE_COMMAND} --install ${EXAMPLE}/build)
expect_file("plugin install" "${PREFIX}/${INSTALL_LIBDIR}/outreach/plugins/libconvention_drive.so")
run_step("installed plugin listed without plugin_dirs"
         COMMAND ${OUTREACH} -c ${INSTALLED_EXAMPLE_CONFIG} plugins OUTPUT_VARIABLE out)
expect_in("plugins (installed plugin)" "${out}" "convention_drive")

message(STATUS "sdk test passed")
