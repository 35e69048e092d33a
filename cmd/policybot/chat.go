package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"policybot/bot"
	"policybot/handlers"
)

// cmdChat runs the console chat: the bot's handlers and answers, questions on stdin, answers on
// stdout.
func cmdChat(ctx context.Context, e *env, args []string) error {
	cfg := Config{answers: true}
	var lc logConfig
	fs := flags("chat", e, &cfg)
	logFlags(fs, e, &lc)
	if err := parse(e, fs, args, &cfg); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: chat takes no arguments", errUsage)
	}
	if _, err := lc.retention(); err != nil {
		return err
	}
	return chat(ctx, e, cfg, lc, nil)
}

// chat opens the index live (a reindex in another process is picked up) and the query log, and
// converses on e's streams until the end of input. Questions are logged as the bot logs them, with
// chat type "console" and user id 0; when the query log cannot be opened the chat answers without it.
//
// With page (serve --admin-addr without a token), the admin page is served beside the chat, and
// stays up after the end of input until ctx ends (Ctrl-C, SIGTERM); when it cannot be served, chat
// returns the error before reading any input.
func chat(ctx context.Context, e *env, cfg Config, lc logConfig, page *adminPage) error {
	bg, stop := context.WithCancel(ctx)
	defer stop()
	svc, err := startServices(bg, e, cfg, lc, true)
	if err != nil {
		return err
	}
	srv, err := page.start(e, svc)
	if err != nil {
		stop()
		svc.close(e, nil)
		return err
	}
	hc := handlers.Config{Searcher: svc.live, Logger: e.log, Retention: svc.retention}
	if svc.qlog != nil {
		hc.Log = svc.qlog
	}
	h, err := handlers.New(hc)
	if err != nil {
		svc.close(e, srv)
		return err
	}
	err = converse(ctx, h, e.stdin, e.stdout)
	if srv != nil && err == nil && ctx.Err() == nil {
		e.log.Info("end of input: the admin page keeps running until Ctrl-C or SIGTERM")
		<-ctx.Done()
	}
	stop()
	svc.close(e, srv)
	return err
}

// consoleHint says how to use the buttons in the console.
const consoleHint = "（输入问题后回车。按钮在这里用打字代替：“更多”看更多结果，“原文 2”看第2条所在的整节，“👍”或“👎”评价；/help 查看用法；Ctrl-D 退出。）"

// sectionCmd is "原文 2" (or "/source 2") in the console.
var sectionCmd = regexp.MustCompile(`^(?:原文|/source)\s*(\d+)$`)

// converse answers each line of in on out with the same handlers and answer text as the bot, until
// the end of input or ctx is done. The last answer's buttons are typed: 更多, 原文 N, 👍, 👎.
func converse(ctx context.Context, h *handlers.Handlers, in io.Reader, out io.Writer) error {
	w := bufio.NewWriter(out)
	defer w.Flush()
	who := handlers.Who{ChatType: handlers.ConsoleChat}
	show := func(a handlers.Answer) {
		fmt.Fprintln(w, bot.ConsoleText(a))
		fmt.Fprintln(w, bot.ConsoleSeparator)
		w.Flush()
	}
	show(h.Start(ctx, who))
	fmt.Fprintln(w, consoleHint)
	w.Flush()
	var last handlers.Answer  // the last answer with buttons
	rated := map[string]int{} // the rating recorded for an answer, by its id
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() && ctx.Err() == nil {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		cmd, arg, _ := strings.Cut(line, " ")
		var a handlers.Answer
		switch m := sectionCmd.FindStringSubmatch(line); {
		case m != nil && last.ID != "":
			n, _ := strconv.Atoi(m[1])
			a = h.Section(ctx, who, last.ID, n)
		case line == "更多" || line == "更多结果" || line == "更多結果" || line == "/more":
			a = more(ctx, h, last)
		case line == "👍" || line == "👎" || line == "/up" || line == "/down":
			if last.ID == "" {
				a = handlers.Answer{Kind: handlers.KindText, Text: "还没有可以评价的回答。"}
				break
			}
			if rated[last.ID] != 0 {
				// As in Telegram, the rating recorded is shown and a second press records nothing.
				a = handlers.Answer{Kind: handlers.KindText, Text: h.Rated(ctx, who, last.ID) + "〔" + handlers.RatedLabel(rated[last.ID]) + "〕"}
				break
			}
			rating := 1
			if line == "👎" || line == "/down" {
				rating = -1
			}
			rated[last.ID] = rating
			a = handlers.Answer{Kind: handlers.KindText, Text: h.Feedback(ctx, who, last.ID, rating) + "〔" + handlers.RatedLabel(rating) + "〕"}
		case cmd == "/start":
			a = h.Start(ctx, who)
		case cmd == "/help":
			a = h.Help(ctx, who)
		case cmd == "/privacy":
			a = h.Privacy(ctx, who)
		case cmd == "/region":
			a = h.Region(ctx, who, arg)
		case cmd == "/ask":
			a = h.Ask(ctx, who, arg)
		case strings.HasPrefix(line, "/"):
			a = handlers.Answer{Kind: handlers.KindText, Text: "不认识这个命令。发送 /help 查看用法，或直接输入您的问题。"}
		default:
			a = h.Ask(ctx, who, line)
		}
		if a.ID != "" {
			last = a
		}
		show(a)
	}
	return sc.Err()
}

// more is the next page after answer last, or a note that there is none.
func more(ctx context.Context, h *handlers.Handlers, last handlers.Answer) handlers.Answer {
	for _, act := range last.Actions {
		if act.Kind == handlers.ActionMore {
			return h.More(ctx, handlers.Who{ChatType: handlers.ConsoleChat}, last.ID, act.Arg)
		}
	}
	return handlers.Answer{Kind: handlers.KindText, Text: "没有更多结果了。"}
}
