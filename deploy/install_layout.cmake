# Runs at install time (cmake --install, cpack), where CMAKE_INSTALL_PREFIX is final.
# Set by packaging.cmake: GATEWATCH_DEPLOY_DIR, GATEWATCH_STAGING_DIR, GATEWATCH_BINDIR,
# GATEWATCH_DOCDIR.
#
# The unit names /usr paths; other prefixes get theirs. The default config goes to /etc
# for /usr (as GNUInstallDirs does) and to PREFIX/etc otherwise; the unit always reads
# /etc/gatewatch/gatewatch.toml (its ConfigurationDirectory=).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(gatewatch_etc "/etc")
else()
  set(gatewatch_etc "${CMAKE_INSTALL_PREFIX}/etc")
endif()

file(READ "${GATEWATCH_DEPLOY_DIR}/systemd/gatewatch.service" gatewatch_unit)
string(REPLACE "/usr/bin/gatewatch" "${CMAKE_INSTALL_PREFIX}/${GATEWATCH_BINDIR}/gatewatch"
       gatewatch_unit "${gatewatch_unit}")
string(REPLACE "/usr/share/doc/gatewatch" "${CMAKE_INSTALL_PREFIX}/${GATEWATCH_DOCDIR}"
       gatewatch_unit "${gatewatch_unit}")
# A directory of its own per run: installs and cpack runs may overlap on one build tree.
string(RANDOM LENGTH 12 gatewatch_run)
set(gatewatch_staged "${GATEWATCH_STAGING_DIR}/unit-${gatewatch_run}/gatewatch.service")
file(WRITE "${gatewatch_staged}" "${gatewatch_unit}")
file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system" TYPE FILE
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES "${gatewatch_staged}")
file(REMOVE_RECURSE "${GATEWATCH_STAGING_DIR}/unit-${gatewatch_run}")
file(INSTALL DESTINATION "${gatewatch_etc}/gatewatch" TYPE FILE
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
     FILES "${GATEWATCH_DEPLOY_DIR}/systemd/gatewatch.toml")
