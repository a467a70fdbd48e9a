//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package iostreams

import (
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"
)

// hideInput turns the terminal's echo off and returns what turns it back
// on. It keeps line editing (canonical mode) and the signal keys, so that
// Backspace works in a hidden entry and Ctrl-C still interrupts: this is
// not raw mode, only no echo. While the echo is off, Ctrl-\ (SIGQUIT) puts
// it back before the process dies (restoreOnQuit).
func hideInput(fd uintptr) (restore func(), err error) {
	old, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	hidden := *old
	hidden.Lflag &^= unix.ECHO
	hidden.Lflag |= unix.ICANON | unix.ISIG
	hidden.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(int(fd), ioctlSetTermios, &hidden); err != nil {
		return nil, err
	}
	echo := func() { _ = unix.IoctlSetTermios(int(fd), ioctlSetTermios, old) }
	stop := restoreOnQuit(echo)
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			echo()
		})
	}, nil
}

// restoreOnQuit calls restore when SIGQUIT (Ctrl-\) comes, and then lets
// the signal do what it does without a handler: Go's runtime prints every
// goroutine's stack and exits. Without this, the shell would be left with
// the echo off, not showing what is typed. It returns what removes the
// handler.
func restoreOnQuit(restore func()) (stop func()) {
	quit := make(chan os.Signal, 1)
	signal.Notify(quit, unix.SIGQUIT)
	done := make(chan struct{})
	go func() {
		select {
		case <-quit:
			restore()
			signal.Reset(unix.SIGQUIT)
			_ = unix.Kill(unix.Getpid(), unix.SIGQUIT)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(quit)
		close(done)
	}
}
