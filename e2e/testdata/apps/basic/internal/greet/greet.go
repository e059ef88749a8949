// Package greet is an internal package of the app, importable by its routes.
package greet

// Hello greets name.
func Hello(name string) string { return "hello, " + name }
