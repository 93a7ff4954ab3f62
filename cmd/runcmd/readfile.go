package runcmd

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// errTooLarge and errNotFile are what readCapped refuses.
var (
	errTooLarge = errors.New("too large")
	errNotFile  = errors.New("not a regular file")
)

// readCapped reads the file name whole, at most limit bytes: a regular
// file or a pipe (a named one, or a shell's <(...)). Anything else (a
// device such as /dev/zero, a directory, a socket) is refused before a
// byte is read, and so is more than limit bytes (an error wrapping
// errTooLarge), rather than read until memory runs out. The error of a
// refused file says what it is (fileKind). regular says it was a
// regular file, not a pipe.
func readCapped(name string, limit int64) (data []byte, regular bool, err error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if t := fi.Mode().Type(); t != 0 && t != fs.ModeNamedPipe {
		return nil, false, fmt.Errorf("%w (%s)", errNotFile, fileKind(fi.Mode()))
	}
	// Read as os.ReadFile does, into one slice: a regular file's size
	// (+1 to see EOF in the same read), else growing, never past limit+1.
	size := 512
	if fi.Mode().IsRegular() {
		size = int(min(fi.Size(), limit)) + 1
	}
	regular = fi.Mode().IsRegular()
	data = make([]byte, 0, size)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if int64(len(data)) > limit {
			return nil, false, errTooLarge
		}
		if err == io.EOF {
			return data, regular, nil
		}
		if err != nil {
			return nil, false, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // grow
		}
	}
}

// fileKind names what a non-regular file is, for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

// sizeMiB is limit in MiB for messages.
func sizeMiB(limit int64) string { return fmt.Sprintf("%d MiB", limit>>20) }
