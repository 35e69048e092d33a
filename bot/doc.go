// Package bot is the Telegram adapter: the only package that imports github.com/go-telegram/bot. It
// routes updates to package handlers and renders their answers as Telegram HTML.
package bot
