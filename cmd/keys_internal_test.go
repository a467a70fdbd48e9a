package cmd

// LoadKey and StoreKey reach the keyring as the commands do, one call at a
// time (keyringMu): tests of package cmd_test look at the in-memory keyring
// while other tests run commands in parallel, and the in-memory store has
// no lock of its own.
var (
	LoadKey  = loadKey
	StoreKey = storeKey
)
