// Package tmuxtest drives a real terminal program in tmux for end-to-end
// tests: it starts a private tmux server (its own socket, so no other
// session is touched), types keys with send-keys, reads the screen with
// capture-pane, and waits for what a person would see with a bounded poll.
// The server is killed, by its socket, when the test ends.
package tmuxtest
