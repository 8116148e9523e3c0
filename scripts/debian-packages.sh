# Sourced by the start and test scripts: installs Debian packages that are missing.
#   need_packages "what they are for" package:test-path ...
# As root it runs apt-get; otherwise it names the packages and stops.
need_packages() {
  local why="$1" missing=() item package path
  shift
  for item in "$@"; do
    package="${item%%:*}" path="${item#*:}"
    compgen -G "$path" >/dev/null || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${missing[*]} (Debian packages) for $why"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "$why needs: sudo apt-get install ${missing[*]}"; exit 1
  fi
}
