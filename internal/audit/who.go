package audit

import "context"

type whoKey struct{}

// WithWho returns ctx carrying who is making a change ("cli:alice", "telegram:123456789"), for a
// store that records who made each change in the change's own transaction.
func WithWho(ctx context.Context, who string) context.Context {
	return context.WithValue(ctx, whoKey{}, who)
}

// Who returns who ctx says is making a change, "" when it does not say.
func Who(ctx context.Context) string {
	who, _ := ctx.Value(whoKey{}).(string)
	return who
}
