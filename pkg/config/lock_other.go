//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || windows)

package config

import "os"

// tryLock takes no lock on systems without flock or LockFileEx (none that
// dqo-users is released for): there, concurrent changes may lose one.
func tryLock(*os.File) (bool, error) { return true, nil }

func unlockFile(*os.File) error { return nil }
