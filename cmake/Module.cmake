# rh_add_module(<name> DEPS <targets...>): one static library per module folder, built from
# every .cc in the folder and its internal/ subfolder. Public headers live at the module root
# and are included as "<module>/<file>.h" from the repository root.
#
# rh_add_test_suite(<name> DEPS <targets...> [WHOLE_SUITES <suites...>]): see below.
#
# Precompiled headers. The heavy third-party headers nearly every file includes (nlohmann/json and
# spdlog; in the test suites also gtest and gmock) are compiled once per build directory, by an
# empty object library that owns the PCH (rh_pch, rh_test_pch), and every module library and test
# suite reuses it (REUSE_FROM) instead of parsing them again in each translation unit. Reuse is
# valid only when the flags and the macros the headers look at are the same; they are: every
# target gets the same global options and, through rh::core, the same json/spdlog/fmt usage
# requirements, and the per-target macros (RH_SOURCE_DIR, RH_VERSION, CPPHTTPLIB_*) do not occur
# in these headers. GCC checks it (-Winvalid-pch, an error under -Werror), so a mismatch cannot
# pass silently. ccache caches the PCH and its users (scripts/build.sh sets the sloppiness it
# needs). Measured on this tree (GCC 12, CPU time per file): -O2 -g1 saves 12%, the sanitizer
# build 7%; template instantiation and code generation, which a PCH does not save, dominate.
# Two costs: the PCH is force-included, so a file that forgets `#include <nlohmann/json.hpp>` still
# compiles (configure with -DRH_PCH=OFF to check that every file includes what it uses); and
# GCC 12 forgets that the PCH's libstdc++ code is a system header, so its known false positives
# inside std::string (-Warray-bounds, -Wstringop-overflow; the family of the -Wrestrict one in
# CMakeLists.txt) reach user code: those two are off where the PCH is used with GCC. A
# -DRH_PCH=OFF build keeps them.
# Off by default: the modules that link FAISS get -fopenmp from its usage requirements, which
# defines _OPENMP, so GCC rejects the shared PCH there (-Winvalid-pch, an error under -Werror;
# this failed CI on 2026-12-07). The saving (12%) does not pay for a second PCH per flag set.
option(RH_PCH "Precompile nlohmann/json, spdlog, gtest and gmock (cmake/Module.cmake)" OFF)

# _rh_pch_owner(<target> DEPS <targets...> HEADERS <headers...>): the empty object library that
# compiles one PCH; created by the first library or suite that uses it.
function(_rh_pch_owner target)
  cmake_parse_arguments(ARG "" "" "DEPS;HEADERS" ${ARGN})
  if(TARGET ${target})
    return()
  endif()
  set(_src ${PROJECT_BINARY_DIR}/pch/${target}.cc)
  file(CONFIGURE OUTPUT ${_src} CONTENT "// Owner of the ${target} precompiled header (cmake/Module.cmake).\n")
  add_library(${target} OBJECT ${_src})
  target_link_libraries(${target} PRIVATE ${ARG_DEPS})
  target_precompile_headers(${target} PRIVATE ${ARG_HEADERS})
endfunction()

function(_rh_pch_warnings target)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-array-bounds -Wno-stringop-overflow)
  endif()
endfunction()

function(_rh_use_module_pch target)
  if(NOT RH_PCH)
    return()
  endif()
  _rh_pch_owner(rh_pch DEPS nlohmann_json::nlohmann_json spdlog::spdlog fmt::fmt
                HEADERS <nlohmann/json.hpp> <spdlog/spdlog.h>)
  target_precompile_headers(${target} REUSE_FROM rh_pch)
  _rh_pch_warnings(${target})
endfunction()

function(_rh_use_test_pch target)
  if(NOT RH_PCH)
    return()
  endif()
  _rh_pch_owner(rh_test_pch
                DEPS nlohmann_json::nlohmann_json spdlog::spdlog fmt::fmt GTest::gtest GTest::gmock
                HEADERS <nlohmann/json.hpp> <spdlog/spdlog.h> <gtest/gtest.h> <gmock/gmock.h>)
  target_precompile_headers(${target} REUSE_FROM rh_test_pch)
  _rh_pch_warnings(${target})
endfunction()

function(rh_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc
       ${CMAKE_CURRENT_SOURCE_DIR}/internal/*.cc)
  if(_srcs)
    add_library(rh_${name} STATIC ${_srcs})
    target_include_directories(rh_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
    target_link_libraries(rh_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    _rh_use_module_pch(rh_${name})
  else()
    # A module whose implementation has not landed yet: headers only.
    add_library(rh_${name} INTERFACE)
    target_include_directories(rh_${name} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
    target_link_libraries(rh_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(rh::${name} ALIAS rh_${name})
endfunction()

# rh_add_test_suite(<name> DEPS <targets...> [PROPERTIES <ctest properties...>]
#                   [WHOLE_SUITES <suites...>]): one GoogleTest binary per tests/<module>/ folder,
# from every *_test.cc in it, labelled <name> in CTest (ctest -L <name>).
# Each test runs in its own process (gtest_discover_tests, CTest name Suite.Test), except the
# suites named in WHOLE_SUITES: each of those runs as one process, one CTest test named
# "Suite.*", so a fixture built once per process (a simulated fleet, a Knowledge Lake) is built
# once instead of once per test. A suite name matches its TEST, TEST_F, TEST_P (any
# instantiation prefix) and TYPED_TEST tests. A whole suite whose filter selects no test fails.
function(rh_add_test_suite name)
  cmake_parse_arguments(ARG "" "" "DEPS;PROPERTIES;WHOLE_SUITES" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(_target rh_${name}_tests)
  add_executable(${_target} ${_srcs})
  target_link_libraries(${_target} PRIVATE ${ARG_DEPS} rh_test_fakes GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${_target} PRIVATE
    RH_SOURCE_DIR="${PROJECT_SOURCE_DIR}" RH_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    RH_BINARY_DIR="${PROJECT_BINARY_DIR}")
  _rh_use_test_pch(${_target})
  include(GoogleTest)
  set(_excluded "")
  foreach(_suite IN LISTS ARG_WHOLE_SUITES)
    # Suite.Test, Prefix/Suite.Test/Param, Suite/TypeIndex.Test
    set(_filter "${_suite}.*:*/${_suite}.*:${_suite}/*")
    string(APPEND _excluded ":${_filter}")
    add_test(NAME "${_suite}.*" COMMAND ${_target} "--gtest_filter=${_filter}")
    set_tests_properties("${_suite}.*" PROPERTIES LABELS "${name};whole_suite"
      # Whole suites are the long tests: start them first so they do not end the run alone.
      COST 1000
      FAIL_REGULAR_EXPRESSION "Running 0 tests from"
      ${ARG_PROPERTIES})
  endforeach()
  set(_discover_filter "")
  if(_excluded)
    string(SUBSTRING "${_excluded}" 1 -1 _excluded)
    set(_discover_filter TEST_FILTER "-${_excluded}")
  endif()
  gtest_discover_tests(${_target} DISCOVERY_TIMEOUT 60 ${_discover_filter}
    PROPERTIES LABELS ${name} ${ARG_PROPERTIES})
endfunction()
