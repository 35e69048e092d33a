#!/usr/bin/env bash
# deploy/test-image.sh: the container image, tested without a container runtime. It reads the
# Dockerfile and performs its steps on this machine: the build stage's RUN lines (go build with cgo)
# with /out in a temporary folder; the runtime stage's COPY lines into a temporary root folder; its
# ENV, USER, VOLUME, ENTRYPOINT and CMD as the container would have them, with the volume a temporary
# folder. Then it runs the image's command (the entry point with CMD, `serve`) as the image's
# unprivileged uid with nothing in the environment but what the image sets, with no bot token, so
# serve runs the console chat: it asks one question on stdin, as `docker run -i` would, and checks
# that an answer comes back. It runs it again with the admin page on, and reads the question back
# over HTTP. Last, it checks the systemd unit with systemd-analyze (verify, and its exposure).
#
# What it cannot do here: run the runtime stage's RUN lines (apt-get, useradd need root and change
# this machine; it checks instead that the packages they install are installed here), pull the base
# images, or run the program at the image's absolute paths (they are under the temporary root;
# POLICYBOT_SHIPPED tells the entry point where the shipped corpus is).
#
# Usage: deploy/test-image.sh  (from anywhere; exits non-zero on the first failure)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

fail() { echo "test-image: FAIL: $*" >&2; exit 1; }
say() { echo "test-image: $*"; }

tmp="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 0755 "$tmp"
root="$tmp/root" vol="$tmp/volume" out="$tmp/out"
mkdir -p "$root" "$vol" "$out"

# The Dockerfile's instructions, one a line, continuation lines joined, comments left out.
mapfile -t instructions < <(awk '
	/^[ \t]*#/ && cont == "" { next }
	{
		line = $0
		if (sub(/\\[ \t]*$/, "", line)) { cont = cont line " "; next }
		line = cont line; cont = ""
		gsub(/\t/, " ", line); gsub(/  +/, " ", line); sub(/^ /, "", line)
		if (line != "") print line
	}' Dockerfile)

stage="" base_build="" base_run="" user="" volume="" entrypoint="" cmd=""
declare -A envs=()
packages=()
jsonargs() { # ["a", "b"] -> a b (the exec form's words, none with spaces)
	sed -e 's/^\[//' -e 's/\]$//' -e 's/"//g' -e 's/,/ /g' <<<"$1" | xargs
}
for line in "${instructions[@]}"; do
	instr="${line%% *}" args="${line#* }"
	case "$instr" in
	FROM)
		if [[ "$args" == *" AS build" ]]; then stage=build base_build="${args%% *}"; else stage=runtime base_run="${args%% *}"; fi
		;;
	RUN)
		if [ "$stage" = build ]; then
			say "build stage: $args"
			(cd "$repo" && bash -c "${args//\/out\//$out/}") || fail "build stage step failed: $args"
		else
			# Not run here: note the packages it installs, to check they are here.
			if [[ "$args" == *"apt-get install"* ]]; then
				for w in ${args#*apt-get install}; do
					case "$w" in -* | "&&") ;; *) [[ "$w" == rm || "$w" == */* ]] && break; packages+=("$w") ;; esac
				done
			fi
		fi
		;;
	COPY)
		[ "$stage" = runtime ] || continue # the build stage copies the repository, used here in place
		read -r -a words <<<"$args"
		if [[ "${words[0]}" == --from=build ]]; then src="$out/${words[1]#/out/}" dst="${words[2]}"
		else src="$repo/${words[0]}" dst="${words[1]}"; fi
		[ -e "$src" ] || fail "COPY $args: $src is not there"
		mkdir -p "$(dirname "$root$dst")"
		cp -R "$src" "$root$dst"
		;;
	ENV)
		for kv in $args; do envs["${kv%%=*}"]="${kv#*=}"; done
		;;
	USER) user="$args" ;;
	VOLUME) volume="$args" ;;
	ENTRYPOINT) entrypoint="$(jsonargs "$args")" ;;
	CMD) cmd="$(jsonargs "$args")" ;;
	esac
done

# What the Dockerfile must say, for the rest to mean anything.
[ -n "$base_build" ] && [ -n "$base_run" ] || fail "the Dockerfile has no build stage ('FROM … AS build') and runtime stage"
for b in "$base_build" "$base_run"; do
	[[ "$b" == *:* && "$b" != *:latest ]] || fail "base image $b is not pinned to a tag"
done
[[ "$user" =~ ^[1-9][0-9]*:[0-9]+$ ]] || fail "USER $user: want a numeric, non-root uid:gid"
uid="${user%%:*}" gid="${user##*:}"
[ -n "$volume" ] && [ "${envs[POLICYBOT_DATA]:-}" = "$volume" ] || fail "POLICYBOT_DATA (${envs[POLICYBOT_DATA]:-unset}) is not the VOLUME ($volume)"
read -r -a ep <<<"$entrypoint"
read -r -a cm <<<"$cmd"
[ "${#ep[@]}" -gt 0 ] && [ -x "$root${ep[0]}" ] || fail "ENTRYPOINT $entrypoint is not an executable the image copies"
image_cmd=("$root${ep[0]}" "${ep[@]:1}" "${cm[@]}")
[ -n "$cmd" ] || fail "no CMD"
[ -x "$root/usr/local/bin/policybot" ] || fail "the image has no /usr/local/bin/policybot"
for p in "${packages[@]}"; do
	dpkg -s "$p" >/dev/null 2>&1 || fail "package $p, which the runtime stage installs, is not installed here to stand for it"
done
# The binary needs no library the runtime stage does not install.
if missing="$(ldd "$root/usr/local/bin/policybot" | grep 'not found')"; then fail "libraries not found: $missing"; fi
say "image laid out in $root: FROM $base_build, then $base_run; packages ${packages[*]}; USER $user; VOLUME $volume; $entrypoint $cmd"

# The container's environment: only what the image sets, with the volume's path mapped to the
# temporary volume, and the image's programs found first.
run_env=(PATH="$root/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$vol"
	POLICYBOT_SHIPPED="$root/usr/share/policybot/corpus")
for k in "${!envs[@]}"; do
	v="${envs[$k]}"
	run_env+=("$k=${v/#$volume/$vol}")
done
as=()
if [ "$(id -u)" = 0 ]; then
	chown "$uid:$gid" "$vol"
	chmod 0700 "$vol"
	as=(setpriv --reuid="$uid" --regid="$gid" --clear-groups --inh-caps=-all --)
	say "running as uid $uid, gid $gid"
else
	say "not root: running as $(id -un) (uid $(id -u)), already unprivileged, instead of uid $uid"
	uid="$(id -u)"
fi
container() { env -i "${run_env[@]}" "$@"; }

# 1. docker run -i IMAGE, with a question on stdin: the console chat answers it.
question="失业金怎么领"
touch "$tmp/before"
sleep 1 # so that anything written after it is newer
printf '%s\n' "$question" | container "${as[@]}" "${image_cmd[@]}" >"$tmp/answer.txt" 2>"$tmp/serve.log" ||
	{ cat "$tmp/serve.log" >&2; fail "the image's command failed"; }
grep -q "问：$question" "$tmp/answer.txt" || { cat "$tmp/answer.txt" "$tmp/serve.log" >&2; fail "no answer to $question"; }
# The answer, after the greeting: it cites a document and quotes what it says of 失业保险.
sed -n "/^问：$question/,\$p" "$tmp/answer.txt" >"$tmp/reply.txt"
grep -q "^《" "$tmp/reply.txt" && grep -q "失业保险" "$tmp/reply.txt" ||
	{ cat "$tmp/answer.txt" >&2; fail "the answer cites no document, or quotes nothing of 失业保险"; }
grep -q "copied the shipped corpus" "$tmp/serve.log" || fail "the entry point did not copy the shipped corpus to the volume"
say "answered: $(grep -m1 '^《' "$tmp/reply.txt")"

# Everything the program wrote is in the volume and belongs to the image's user; the query log is
# private.
if stray="$(find "$vol" ! -uid "$uid" -print -quit)" && [ -n "$stray" ]; then fail "$stray in the volume is not the image user's"; fi
[ "$(stat -c %a "$vol/querylog.db")" = 600 ] || fail "querylog.db is not 0600"
[ -d "$vol/corpus/docs" ] && [ -d "$vol/indexes" ] || fail "the volume lacks the corpus or the index"
cp "$tmp/answer.txt" "${TEST_IMAGE_ANSWER:-/dev/null}"
if written="$(find "$root" -newer "$tmp/before" -print -quit)" && [ -n "$written" ]; then fail "$written was written outside the volume"; fi

# 2. The admin page, beside the console chat: the question asked above is on it.
token="test-image-admin-token-$RANDOM$RANDOM"
# (env, setpriv and the entry point each exec the next: the pid is serve's.)
env -i "${run_env[@]}" POLICYBOT_ADMIN_ADDR=127.0.0.1:0 POLICYBOT_ADMIN_TOKEN="$token" "${as[@]}" "${image_cmd[@]}" \
	</dev/null >/dev/null 2>"$tmp/admin.log" &
pids+=($!)
url=""
for _ in $(seq 1 600); do
	url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$tmp/admin.log" | head -n 1 || true)"
	[ -n "$url" ] && break
	kill -0 "${pids[0]}" 2>/dev/null || { cat "$tmp/admin.log" >&2; fail "serve with the admin page stopped"; }
	sleep 0.1
done
[ -n "$url" ] || { cat "$tmp/admin.log" >&2; fail "the admin page did not start"; }
health="$(curl -fsS "${url}healthz")" || fail "/healthz failed"
case "$health" in "ok corpus="*" index="*) ;; *) fail "/healthz says \"$health\", not ok corpus=… index=…" ;; esac
curl -fsS -H "Authorization: Bearer $token" "$url" >"$tmp/page.html" || fail "the admin page refused its token"
grep -q "$question" "$tmp/page.html" || fail "the admin page does not show the question asked"
kill -TERM "${pids[0]}"
wait "${pids[0]}" || fail "serve did not stop cleanly on SIGTERM"
pids=()
say "admin page at $url showed the question; serve stopped on SIGTERM"

# 3. The systemd unit, with its ExecStart's program where this test put it.
if command -v systemd-analyze >/dev/null; then
	unit="$tmp/unit/policybot.service"
	mkdir -p "$tmp/unit"
	sed "s|/usr/local/bin/policybot-start|$root/usr/local/bin/policybot-start|" deploy/policybot.service >"$unit"
	systemd-analyze verify "$unit" || fail "systemd-analyze verify deploy/policybot.service"
	exposure="$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for policybot.service: \([0-9.]*\).*/\1/p')"
	[ -n "$exposure" ] || fail "systemd-analyze security gave no exposure level"
	awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "the unit's exposure level is $exposure, above 2.0"
	say "systemd unit verified; exposure level $exposure"
else
	fail "systemd-analyze is not installed (Debian: apt-get install systemd)"
fi
say "ok"
