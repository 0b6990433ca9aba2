abi <abi/4.0>,
include <tunables/global>

# Ubuntu 23.10+ lets only profiled programs create user namespaces, which Chromium's sandbox
# needs: one profile for the app, one for the slots' browser (Chrome for Testing, resources/chromium).
profile "${executable}" "/opt/${sanitizedProductName}/${executable}" flags=(unconfined) {
  userns,

  include if exists <local/${executable}>
}

profile "${executable}-chromium" "/opt/${sanitizedProductName}/resources/chromium/**/chrome" flags=(unconfined) {
  userns,

  include if exists <local/${executable}-chromium>
}
