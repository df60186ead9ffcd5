package main

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/cpcready/cpcready/internal/domain"
	"github.com/cpcready/cpcready/internal/readiness"
	"github.com/cpcready/cpcready/internal/store"
	"github.com/cpcready/cpcready/internal/workdays"
)

func main() {
	ctx := context.Background()
	db, err := store.Open(store.Config{URL: "file:" + os.Args[1]})
	if err != nil {
		panic(err)
	}
	day := domain.DateOf(time.Now()).AddDays(30)
	for !workdays.New(nil).IsWorkingDay(day) {
		day = day.AddDays(1)
	}
	cal := workdays.New([]domain.Date{day})
	db.Evaluate = readiness.Evaluator(time.Now, cal)
	f, _ := os.Create(os.Args[2])
	pprof.StartCPUProfile(f)
	began := time.Now()
	r, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint()))
	if err != nil {
		panic(err)
	}
	fmt.Println("near", r.Near, "took", time.Since(began))
	began = time.Now()
	if len(os.Args) > 3 {
		err = r.Run(ctx, 0, nil)
		fmt.Println("rest took", time.Since(began), err)
	}
	pprof.StopCPUProfile()
}
