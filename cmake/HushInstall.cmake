# Installs libhush: headers, the library, a CMake package (hush::hush) and a
# pkg-config file (hush.pc).
include(CMakePackageConfigHelpers)

install(TARGETS hush EXPORT hushTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(part IN LISTS HUSH_LIB_PARTS)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/lib/${part}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endforeach()
install(EXPORT hushTargets NAMESPACE hush:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hush)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hush-config.cmake.in
  ${PROJECT_BINARY_DIR}/hush-config.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hush)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hush-config-version.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hush-config.cmake ${PROJECT_BINARY_DIR}/hush-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hush)

# hush.pc finds its prefix from where it lies (pkg-config's ${pcfiledir}), so
# `cmake --install --prefix P` gives a file that is right for P, not for the
# prefix known at configure time.
file(RELATIVE_PATH HUSH_PC_TO_PREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
string(REGEX REPLACE "/$" "" HUSH_PC_TO_PREFIX "${HUSH_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/hush.pc.in ${PROJECT_BINARY_DIR}/hush.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hush.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
