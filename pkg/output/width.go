package output

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/clipperhouse/displaywidth"
)

// textWidth is the display width of text made printable (no tab, no
// escape sequence) as terminal tables measure it: the sum of its
// characters' widths, an East Asian ambiguous character counting as two
// when eastAsian says so. These are the widths tablewriter's twwidth gives,
// without the cost of its package initialisation (a regular expression and
// a cache) in every run of the tool, table or not.
func textWidth(s string) int { return widthOf(s, eastAsian()) }

// runeWidth is the display width of one character, as textWidth counts it.
func runeWidth(r rune) int {
	return displaywidth.Options{EastAsianWidth: eastAsian()}.Rune(r)
}

// widthOf is textWidth with East Asian widths or not.
func widthOf(s string, eastAsian bool) int {
	opts := displaywidth.Options{EastAsianWidth: eastAsian}
	w := 0
	for _, r := range s {
		w += opts.Rune(r)
	}
	return w
}

// eastAsian reports, once, whether the terminal is taken to draw East Asian
// ambiguous characters two columns wide.
var eastAsian = sync.OnceValue(func() bool { return eastAsianFrom(os.Getenv) })

// eastAsianFrom decides it from the environment by twwidth's rules:
// RUNEWIDTH_EASTASIAN when it says yes or no; else narrow in a terminal
// known to draw them narrow; else wide under a Chinese, Japanese or Korean
// locale.
func eastAsianFrom(getenv func(string) string) bool {
	switch strings.ToLower(getenv("RUNEWIDTH_EASTASIAN")) {
	case "1", "on", "true", "yes":
		return true
	case "0", "off", "false", "no":
		return false
	}
	return !modernTerminal(getenv) && cjkLocale(getenv)
}

// modernTerminals are the TERM_PROGRAM and TERM values of terminals that
// draw ambiguous characters narrow whatever the locale.
var modernTerminals = []string{
	"vscode", "visual studio code", "iterm.app", "iterm2", "windows terminal", "windowsterminal",
	"alacritty", "kitty", "hyper", "tabby", "terminus", "fluentterminal", "warp", "ghostty", "rio",
	"jetbrains-jediterm", "xterm-kitty", "xterm-ghostty", "wezterm",
}

func modernTerminal(getenv func(string) string) bool {
	if p := strings.ToLower(getenv("TERM_PROGRAM")); p != "" && slices.Contains(modernTerminals, p) {
		return true
	}
	if getenv("TERM_PROGRAM_WSL") != "" || getenv("VTE_VERSION") != "" || getenv("ALACRITTY_LOG") != "" {
		return true
	}
	term := strings.ToLower(getenv("TERM"))
	if runtime.GOOS == "windows" && (getenv("WT_PROFILE_ID") != "" || getenv("ConEmuANSI") == "ON" ||
		strings.Contains(term, "xterm") || strings.Contains(term, "vt")) {
		return true
	}
	return term != "" && (slices.Contains(modernTerminals, term) ||
		strings.Contains(term, "xterm") && !strings.Contains(term, "xterm-mono") ||
		strings.Contains(term, "screen") || strings.Contains(term, "tmux"))
}

// cjkLocale reports whether LC_ALL, else LC_CTYPE, else LANG names a
// Chinese, Japanese or Korean language, or a region that writes one.
func cjkLocale(getenv func(string) string) bool {
	locale := getenv("LC_ALL")
	if locale == "" {
		locale = getenv("LC_CTYPE")
	}
	if locale == "" {
		locale = getenv("LANG")
	}
	if locale == "" || locale == "C" || locale == "POSIX" {
		return false
	}
	locale, _, _ = strings.Cut(locale, ".")
	locale, _, _ = strings.Cut(locale, "@")
	locale = strings.ToLower(locale)
	for _, prefix := range []string{"zh", "ja", "ko", "chi", "zho", "jpn", "kor", "chinese", "japanese", "korean"} {
		if strings.HasPrefix(locale, prefix) {
			return true
		}
	}
	parts := strings.Split(locale, "_")
	for _, region := range parts[1:] {
		if slices.Contains([]string{"cn", "tw", "hk", "mo", "jp", "kr", "kp", "sg"}, region) {
			return true
		}
	}
	return false
}
