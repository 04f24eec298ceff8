# Install layout and the Debian package, included from the top-level CMakeLists.txt.
#
#   cmake --install build [--prefix /usr]   bin/gatewatch, lib/systemd/system/gatewatch.service,
#                                           share/doc/gatewatch/{README.md,examples/,grafana/},
#                                           /etc/gatewatch/gatewatch.toml (PREFIX/etc/... for
#                                           prefixes other than /usr)
#   cd build && cpack                       gatewatch_<version>-1_<arch>.deb (installs to /usr)
include(GNUInstallDirs)

install(FILES ${CMAKE_CURRENT_LIST_DIR}/../README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_CURRENT_LIST_DIR}/systemd/gatewatch.env.example
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/grafana/gatewatch-dashboard.json
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/grafana)
# The unit's paths and the config's place depend on the prefix given at install time
# (cmake --install --prefix, or cpack's /usr), not the one configured: install_layout.cmake
# runs then.
install(CODE "set(GATEWATCH_DEPLOY_DIR \"${CMAKE_CURRENT_LIST_DIR}\")
set(GATEWATCH_STAGING_DIR \"${CMAKE_BINARY_DIR}/deploy\")
set(GATEWATCH_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
set(GATEWATCH_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install_layout.cmake)

set(GATEWATCH_PACKAGE_MAINTAINER "gatewatch maintainers <maintainers@gatewatch.invalid>"
    CACHE STRING "Maintainer field of the .deb")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME gatewatch)
set(CPACK_PACKAGE_VENDOR gatewatch)
set(CPACK_PACKAGE_CONTACT "${GATEWATCH_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "synthetic monitoring agent that finds 502s and says which hop broke")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The extended description; CPack puts the summary above it and indents it (an empty line
# becomes Debian's " ." paragraph break).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "gatewatch probes HTTP endpoints and health routes on a schedule, keeps
sliding windows of latency and 502/5xx/failure rates per target, exports them
as Prometheus metrics and JSON, alerts to chat, webhooks and Alertmanager, and
for every failed probe says which hop answered (nginx, HAProxy, Envoy, a CDN
or the application).

The systemd unit (Type=notify, watchdog, sandboxed with DynamicUser) is
installed but not enabled: add targets to /etc/gatewatch/gatewatch.toml, then
systemctl enable --now gatewatch.")
# Depends: from the binary's libraries (dpkg-shlibdeps). https probes need the CA bundle.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS ca-certificates)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles;${CMAKE_CURRENT_LIST_DIR}/debian/postinst;${CMAKE_CURRENT_LIST_DIR}/debian/prerm;${CMAKE_CURRENT_LIST_DIR}/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
