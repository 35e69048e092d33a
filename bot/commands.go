package bot

import (
	"context"

	"policybot/handlers"
)

// command is a slash command: who may run it and what it answers.
type command struct {
	name string // without "/"
	desc string // for Telegram's command menu (setMyCommands); "" leaves it out of the menu
	role Role   // the least role that may run it; others get a polite refusal
	// private commands show what a group should not see (the query log): in a group they only say
	// to use them in a private chat.
	private bool
	// run answers the command. It may send messages itself (a file, a report that comes later) and
	// return an empty Answer.
	run func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer
}

// commandList is every command the bot knows. Staff and admin commands name their role; the bot
// checks it before running them. Staff commands are known only when the bot has staff operations
// (Config.Staff), admin commands only when it has the query log (Config.Review).
var commandList = []command{
	{name: "start", desc: "介绍：我有哪些文件、可以怎么问", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer { return b.h.Start(ctx, w) }},
	{name: "help", desc: "使用说明", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer { return b.help(ctx, w) }},
	{name: "ask", desc: "提问（在群里用：/ask 问题）", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
			return b.h.Ask(ctx, w, arg)
		}},
	{name: "region", desc: "限定地区，如 /region 铜仁；/region 清除 取消", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
			return b.h.Region(ctx, w, arg)
		}},
	{name: "privacy", desc: "我们记录什么、保存多久", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer {
			return b.h.Privacy(ctx, w)
		}},

	// Staff: keep the corpus current. Sending a document adds it (see onDocument).
	{name: "docs", role: Staff,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer {
			return b.cfg.Staff.Documents(ctx, handlers.TelegramActor(w.UserID))
		}},
	{name: "remove", role: Staff, run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
		b.job(w.ChatID, func(ctx context.Context) {
			b.send(ctx, w.ChatID, 0, Render(b.cfg.Staff.Remove(ctx, handlers.TelegramActor(w.UserID), arg)))
		})
		return handlers.Answer{}
	}},
	{name: "restore", role: Staff, run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
		b.job(w.ChatID, func(ctx context.Context) {
			b.send(ctx, w.ChatID, 0, Render(b.cfg.Staff.Restore(ctx, handlers.TelegramActor(w.UserID), arg)))
		})
		return handlers.Answer{}
	}},
	{name: "reindex", role: Staff, run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
		// A reindex may take minutes: it runs on its own, and its report comes when it is done.
		b.job(w.ChatID, func(ctx context.Context) {
			a := b.cfg.Staff.Reindex(ctx, handlers.TelegramActor(w.UserID), arg, func(notice handlers.Answer) {
				b.send(ctx, w.ChatID, 0, Render(notice))
			})
			b.send(ctx, w.ChatID, 0, Render(a))
		})
		return handlers.Answer{}
	}},

	// Admins: review what citizens ask, from the query log.
	{name: "stats", role: Admin, private: true,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer {
			return b.cfg.Review.Stats(ctx, w)
		}},
	{name: "unanswered", role: Admin, private: true,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer {
			return b.cfg.Review.Unanswered(ctx, w)
		}},
	{name: "top", role: Admin, private: true,
		run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
			return b.cfg.Review.Top(ctx, w, arg)
		}},
	{name: "export", role: Admin, private: true,
		run: func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer {
			f, a := b.cfg.Review.Export(ctx, w, arg)
			if f == nil {
				return a
			}
			if err := b.sendFile(ctx, w.ChatID, f); err != nil {
				return handlers.Answer{Kind: handlers.KindText, Text: "抱歉，文件没能发送，请稍后再试。"}
			}
			return handlers.Answer{}
		}},
}

// commands indexes the commands this bot runs by name: the citizens' always, the staff's with
// Config.Staff, the admins' with Config.Review.
func (b *Bot) commands() map[string]command {
	m := make(map[string]command, len(commandList))
	for _, c := range commandList {
		if (c.role == Staff && b.cfg.Staff == nil) || (c.role == Admin && b.cfg.Review == nil) {
			continue
		}
		m[c.name] = c
	}
	return m
}

// help is /help: the citizens' help, then what the person's role adds.
func (b *Bot) help(ctx context.Context, w handlers.Who) handlers.Answer {
	a := b.h.Help(ctx, w)
	role := b.cfg.Roles.Of(w.UserID)
	if role >= Staff && b.cfg.Staff != nil {
		a.Text += "\n\n" + b.cfg.Staff.Help()
	}
	if role >= Admin && b.cfg.Review != nil {
		a.Text += "\n\n" + b.cfg.Review.Help()
	}
	return a
}
