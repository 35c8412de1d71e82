# Every third-party dependency comes from a Debian 12 package (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(CURL REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(OpenMP REQUIRED)
find_package(BLAS REQUIRED)
find_package(LAPACK REQUIRED)
find_package(faiss REQUIRED)
find_package(CLI11 REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(OpenSSL REQUIRED)

# tl::expected (libexpected-dev) is header-only and ships no CMake config on Debian 12.
find_path(TL_EXPECTED_INCLUDE_DIR tl/expected.hpp REQUIRED)
add_library(rh_tl_expected INTERFACE)
target_include_directories(rh_tl_expected SYSTEM INTERFACE ${TL_EXPECTED_INCLUDE_DIR})

# cpp-httplib (libcpp-httplib-dev): Debian ships it split (declarations in httplib.h, the
# implementation in libcpp-httplib.so built with OpenSSL, zlib and brotli), so link the library
# and define the same feature macros as its cpp-httplib.pc, or the class layouts differ.
# Only server/ and tests include it.
find_path(HTTPLIB_INCLUDE_DIR httplib.h REQUIRED)
find_library(HTTPLIB_LIBRARY cpp-httplib REQUIRED)
add_library(rh_httplib INTERFACE)
target_include_directories(rh_httplib SYSTEM INTERFACE ${HTTPLIB_INCLUDE_DIR})
target_compile_definitions(rh_httplib INTERFACE CPPHTTPLIB_OPENSSL_SUPPORT CPPHTTPLIB_ZLIB_SUPPORT
                           CPPHTTPLIB_BROTLI_SUPPORT)
target_link_libraries(rh_httplib INTERFACE ${HTTPLIB_LIBRARY} OpenSSL::SSL OpenSSL::Crypto
                      Threads::Threads)

# mysql-connector-c++ 1.1 (libmysqlcppconn-dev) has no CMake config either.
find_path(MYSQLCPPCONN_INCLUDE_DIR cppconn/driver.h REQUIRED)
find_library(MYSQLCPPCONN_LIBRARY mysqlcppconn REQUIRED)
add_library(rh_mysqlcppconn INTERFACE)
target_include_directories(rh_mysqlcppconn SYSTEM INTERFACE ${MYSQLCPPCONN_INCLUDE_DIR})
target_link_libraries(rh_mysqlcppconn INTERFACE ${MYSQLCPPCONN_LIBRARY})

# Debian's static libfaiss.a: link OpenMP, BLAS (OpenBLAS when installed) and LAPACK.
add_library(rh_faiss INTERFACE)
target_link_libraries(rh_faiss INTERFACE faiss OpenMP::OpenMP_CXX ${LAPACK_LIBRARIES} ${BLAS_LIBRARIES})

if(RH_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(RH_BUILD_BENCH)
  find_package(benchmark QUIET)
endif()
