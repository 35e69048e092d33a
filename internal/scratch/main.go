package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"policybot/index"
)

func main() {
	ix, err := index.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		r, _ := ix.Search(context.Background(), sc.Text(), index.Options{K: 3})
		c := 0.0
		if len(r.Hits) > 0 {
			c = r.Hits[0].Coverage
		}
		fmt.Printf("%.2f %v %s | %s\n", c, r.Confident, sc.Text(), r.Reason)
	}
}
