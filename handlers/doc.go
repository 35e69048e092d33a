// Package handlers holds what a person can ask and do, free of any chat transport: ask a question,
// page through results, read a whole section, rate an answer. It returns answers as values that a
// transport (package bot, or the console chat) renders.
package handlers
