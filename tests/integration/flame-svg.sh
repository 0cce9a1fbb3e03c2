#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# millivm-flame charts as a real browser sees them: headless Chromium loads each SVG made
# from the tslog fixtures (a strict XML parse: one bad escape and the page is an error),
# an inline script in a wrapper page counts the span rects, reads their <title> tooltips
# and measures every visible label against its rect; a screenshot of each is taken too.
#
# Exit 0 all passed, 1 something failed, 77 skipped (no Chromium).
# FLAME_BIN: the tool (default: build/millivm-flame, built if missing).
# FLAME_ARTIFACTS: a directory to keep the SVGs, pages and screenshots in.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX="$ROOT/tests/fixtures/tslog"
case ${BUILD:=build} in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
FLAME_BIN=${FLAME_BIN:-$BUILD/millivm-flame}
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

CHROMIUM=$(command -v chromium || command -v chromium-browser)
if [ -z "$CHROMIUM" ]; then
	echo "SKIP: chromium is not installed (apt-get install -y chromium)"
	exit 77
fi

if [ ! -x "$FLAME_BIN" ]; then
	make -s -C "$ROOT" -f tools/flame/flame.mk BUILD="$BUILD" flame >/dev/null ||
		{ echo "FAIL: cannot build millivm-flame"; exit 1; }
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

# chromium MODE-ARGS... : one headless run with a fresh profile, no network chatter.
chromium_run() {
	profile=$(mktemp -d "$WORK/profile.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic \
		--no-first-run --disable-background-networking --disable-component-update \
		--disable-sync --user-data-dir="$profile" "$@" 2>>"$WORK/chromium.log"
}

# The wrapper page: the SVG's text in an inert script element, parsed by the browser's own
# XML parser (DOMParser, as strict as loading the file), put into the page so that it is laid
# out, then inspected. Results go into <pre id="out"> for --dump-dom, one fact per line.
make_page() {
	{
		printf '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>\n'
		printf '<script type="text/plain" id="src">'
		cat "$1"
		cat <<'EOF'
</script>
<pre id="out"></pre>
<script>
const out = [];
const doc = new DOMParser().parseFromString(
	document.getElementById('src').textContent.trim(), 'image/svg+xml');
out.push('PARSEERRORS ' + doc.getElementsByTagName('parsererror').length);
const svg = document.importNode(doc.documentElement, true);
document.body.appendChild(svg);
const spans = svg.querySelectorAll('rect.span');
for (const r of spans) {
	const t = r.querySelector(':scope > title');
	if (t) out.push('TITLE ' + t.textContent);
}
out.push('SPANS ' + spans.length);
let untitled = 0;
for (const r of svg.querySelectorAll('rect'))
	if (!r.querySelector(':scope > title')) untitled++;
out.push('UNTITLED ' + untitled);
for (const t of svg.querySelectorAll('rect.lane > title')) out.push('LANE ' + t.textContent);
for (const t of svg.querySelectorAll('rect.event > title')) out.push('EVENT ' + t.textContent);
let labels = 0, overflows = 0;
for (const t of svg.querySelectorAll('text[pointer-events="none"]')) {
	const rect = t.previousElementSibling;
	const room = rect.width.baseVal.value, used = t.getComputedTextLength();
	labels++;
	if (used > room) {
		overflows++;
		out.push('OVERFLOW ' + t.textContent + ' ' + used.toFixed(1) + ' > ' + room.toFixed(1));
	}
}
out.push('LABELS ' + labels);
out.push('OVERFLOWS ' + overflows);
document.getElementById('out').textContent = out.join('\n');
</script>
</body></html>
EOF
	} >"$2"
}

# The <pre id="out"> text of a dumped page, entities decoded (a text node escapes only
# &, <, > and no-break spaces).
page_facts() {
	sed -n '/<pre id="out">/,/<\/pre>/p' "$1" |
		sed 's/<pre id="out">//; s/<\/pre>.*//' |
		sed 's/&lt;/</g; s/&gt;/>/g; s/&nbsp;/ /g; s/&amp;/\&/g'
}

# expect_line FACTS LINE: the fact must be there exactly.
expect_line() {
	if grep -qxF -- "$2" "$1"; then pass "$3: $2"; else fail "$3: no line '$2'"; fi
}

# expect_prefix FACTS PREFIX: some fact starts with it (titles go on with start and depth).
expect_prefix() {
	if grep -F -- "$2" "$1" | grep -q "^$(printf '%s' "$2" | sed 's/[][\.*^$/]/\\&/g')"; then
		pass "$3: $2..."
	else
		fail "$3: no line starting '$2'"
	fi
}

# check NAME TRACE SPANS TOOL-ARGS... : chart, browser checks, screenshot.
check() {
	name=$1 trace=$2 spans=$3
	shift 3
	svg="$WORK/$name.svg"
	if ! "$FLAME_BIN" "$@" -o "$svg" "$trace" 2>"$WORK/$name.stderr"; then
		fail "$name: millivm-flame failed: $(tail -n 1 "$WORK/$name.stderr")"
		return
	fi

	# 1. The file itself, loaded as a document: Chromium's XML parser must accept it.
	chromium_run --dump-dom "file://$svg" >"$WORK/$name.direct.html"
	if grep -q 'parsererror\|This page contains the following errors' "$WORK/$name.direct.html"; then
		fail "$name: Chromium reports an XML error loading the SVG"
	elif [ "$(grep -o '<rect class="span"' "$WORK/$name.direct.html" | wc -l)" -ne "$spans" ]; then
		fail "$name: the loaded SVG does not hold $spans span rects"
	else
		pass "$name: Chromium loads the SVG file ($spans span rects)"
	fi

	# 2. The wrapper page: DOM facts from the browser.
	make_page "$svg" "$WORK/$name.html"
	chromium_run --dump-dom "file://$WORK/$name.html" >"$WORK/$name.dom.html"
	page_facts "$WORK/$name.dom.html" >"$WORK/$name.facts"
	expect_line "$WORK/$name.facts" "PARSEERRORS 0" "$name"
	expect_line "$WORK/$name.facts" "SPANS $spans" "$name"
	expect_line "$WORK/$name.facts" "UNTITLED 0" "$name"
	expect_line "$WORK/$name.facts" "OVERFLOWS 0" "$name"
	if grep -q '^LABELS [1-9]' "$WORK/$name.facts"; then
		pass "$name: $(grep '^LABELS' "$WORK/$name.facts" | cut -d' ' -f2) visible labels"
	else
		fail "$name: no visible labels"
	fi

	# 3. A screenshot: a PNG of some substance.
	chromium_run --screenshot="$WORK/$name.png" --window-size=1200,800 "file://$svg" >/dev/null
	if [ -s "$WORK/$name.png" ] && [ "$(head -c 4 "$WORK/$name.png" | od -An -c | tr -d ' ')" = "211PNG" ] &&
		[ "$(wc -c <"$WORK/$name.png")" -gt 10000 ]; then
		pass "$name: screenshot $(wc -c <"$WORK/$name.png") bytes"
	else
		fail "$name: no usable screenshot"
	fi
	FACTS="$WORK/$name.facts"
}

check millivm "$FIX/millivm.tslog" 10 --timeline "$FIX/millivm-timeline.json"
expect_line "$FACTS" "TITLE guest_main: 9.250 ms (start 0.000 ms, thread 0x0, depth 0)" millivm
expect_line "$FACTS" "TITLE ap_entry: 1.100 ms (start 1.500 ms, thread 0x1, depth 0)" millivm
expect_line "$FACTS" "TITLE virtio_blk_probe: 2.250 ms (start 3.600 ms, thread 0x0, depth 2)" millivm
expect_line "$FACTS" "LANE thread 0x1 (cpu1)" millivm
expect_line "$FACTS" "EVENT EVENT boot_timer_write at 9.200 ms" millivm

check netbsd "$FIX/netbsd.tslog" 11 --tsc-khz 2400000
expect_prefix "$FACTS" "TITLE main: 29.100 ms (start 0.000 ms, thread 0x1," netbsd
expect_prefix "$FACTS" "TITLE configure: 15.000 ms" netbsd
expect_prefix "$FACTS" "TITLE xhci_init: 6.000 ms (start 10.100 ms, thread 0x2b," netbsd

check freebsd "$FIX/freebsd.tslog" 14 --tsc-khz 2593906
expect_line "$FACTS" \
	"TITLE mi_startup (unfinished): 21.900 ms (start 22.100 ms, thread 0xffffffff8298c740, depth 0)" \
	freebsd
expect_prefix "$FACTS" "TITLE elf64_loadfile(/boot/kernel/kernel): 18.000 ms (start 0.100 ms" freebsd
expect_prefix "$FACTS" "TITLE vfs_mountroot_parse: 7.000 ms" freebsd
expect_line "$FACTS" "LANE thread 0xfffff80003a1d000 (swi4: clock (0))" freebsd
expect_line "$FACTS" "EVENT EVENT WAIT(GEOM) at 28.400 ms" freebsd

check garbage "$FIX/garbage.tslog" 7 --tsc-khz 1000
# The browser gives back exactly the bytes of the names: escaping round-trips.
expect_prefix "$FACTS" "TITLE probe<\"&'>(a&b): 0.200 ms (start 0.700 ms" garbage
expect_prefix "$FACTS" "TITLE never_returns (unfinished): 1.000 ms" garbage
expect_prefix "$FACTS" "TITLE bad$(printf '\357\277\275\357\277\275')utf8: 0.050 ms" garbage
expect_prefix "$FACTS" "TITLE inner_b: 0.100 ms (start 0.300 ms" garbage
expect_prefix "$FACTS" "TITLE other_cpu_work: 0.500 ms (start 0.100 ms, thread 0x1," garbage

if [ -n "$FLAME_ARTIFACTS" ]; then
	mkdir -p "$FLAME_ARTIFACTS" && cp "$WORK"/*.svg "$WORK"/*.png "$WORK"/*.html "$WORK"/*.facts \
		"$FLAME_ARTIFACTS"/ && echo "artifacts in $FLAME_ARTIFACTS"
fi
if [ "$failures" -ne 0 ]; then
	echo "chromium log tail:"
	tail -n 5 "$WORK/chromium.log"
	exit 1
fi
exit 0
