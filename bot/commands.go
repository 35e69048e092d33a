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
	run  func(ctx context.Context, b *Bot, w handlers.Who, arg string) handlers.Answer
}

// commandList is every command the bot knows. Staff and admin commands name their role; the bot
// checks it before running them.
var commandList = []command{
	{name: "start", desc: "介绍：我有哪些文件、可以怎么问", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer { return b.h.Start(ctx, w) }},
	{name: "help", desc: "使用说明", role: Citizen,
		run: func(ctx context.Context, b *Bot, w handlers.Who, _ string) handlers.Answer { return b.h.Help(ctx, w) }},
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
}

// commands indexes commandList by name.
func (b *Bot) commands() map[string]command {
	m := make(map[string]command, len(commandList))
	for _, c := range commandList {
		m[c.name] = c
	}
	return m
}
