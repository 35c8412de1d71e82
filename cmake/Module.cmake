# rh_add_module(<name> DEPS <targets...>): one static library per module folder, built from
# every .cc in the folder and its internal/ subfolder. Public headers live at the module root
# and are included as "<module>/<file>.h" from the repository root.
function(rh_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc
       ${CMAKE_CURRENT_SOURCE_DIR}/internal/*.cc)
  if(_srcs)
    add_library(rh_${name} STATIC ${_srcs})
    target_include_directories(rh_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
    target_link_libraries(rh_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  else()
    # A module whose implementation has not landed yet: headers only.
    add_library(rh_${name} INTERFACE)
    target_include_directories(rh_${name} INTERFACE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/generated)
    target_link_libraries(rh_${name} INTERFACE ${ARG_DEPS})
  endif()
  add_library(rh::${name} ALIAS rh_${name})
endfunction()

# rh_add_test_suite(<name> DEPS <targets...>): one GoogleTest binary per tests/<module>/ folder,
# from every *_test.cc in it; registered with CTest through gtest_discover_tests.
function(rh_add_test_suite name)
  cmake_parse_arguments(ARG "" "" "DEPS;PROPERTIES" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  add_executable(rh_${name}_tests ${_srcs})
  target_link_libraries(rh_${name}_tests PRIVATE ${ARG_DEPS} rh_test_fakes GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(rh_${name}_tests PRIVATE
    RH_SOURCE_DIR="${PROJECT_SOURCE_DIR}" RH_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    RH_BINARY_DIR="${PROJECT_BINARY_DIR}")
  include(GoogleTest)
  gtest_discover_tests(rh_${name}_tests DISCOVERY_TIMEOUT 60 PROPERTIES ${ARG_PROPERTIES})
endfunction()
