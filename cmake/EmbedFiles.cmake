# rh_embed_files(<target> <cpp_namespace> <files...>): compiles the files into <target> as a
# table of {name, contents}, exposed by a generated header with
#   std::string_view <ns>::EmbeddedFile(std::string_view name);   // empty if absent
#   const std::vector<std::string_view>& <ns>::EmbeddedFileNames();
# The .cc is regenerated whenever a file changes. `name` is the file's base name.
function(rh_embed_files target ns)
  set(_out_cc ${PROJECT_BINARY_DIR}/generated/${target}_embedded.cc)
  string(REPLACE ";" "|" _files "${ARGN}")
  add_custom_command(
    OUTPUT ${_out_cc}
    COMMAND ${CMAKE_COMMAND} -DOUT=${_out_cc} -DNS=${ns} "-DFILES=${_files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    DEPENDS ${ARGN} ${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake
    COMMENT "Embedding ${target} files"
    VERBATIM)
  target_sources(${target} PRIVATE ${_out_cc})
endfunction()
