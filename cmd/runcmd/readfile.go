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
// refused file says what it is (fileKind).
func readCapped(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if t := fi.Mode().Type(); t != 0 && t != fs.ModeNamedPipe {
		return nil, fmt.Errorf("%w (%s)", errNotFile, fileKind(fi.Mode()))
	}
	var data []byte
	if fi.Mode().IsRegular() && fi.Size() <= limit {
		data = make([]byte, 0, fi.Size()+1) // one read, and EOF
	}
	buf := bytesBuffer(data)
	if _, err := io.Copy(&buf, io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	if int64(len(buf)) > limit {
		return nil, errTooLarge
	}
	return buf, nil
}

// bytesBuffer is an io.Writer appending to a slice.
type bytesBuffer []byte

func (b *bytesBuffer) Write(p []byte) (int, error) {
	*b = append(*b, p...)
	return len(p), nil
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
