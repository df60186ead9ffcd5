package main

import (
	"context"
	"flag"
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
	path := flag.String("db", "", "")
	prof := flag.String("prof", "/tmp/zz.prof", "")
	full := flag.Bool("full", false, "")
	mmap := flag.Bool("mmap", false, "")
	flag.Parse()
	ctx := context.Background()
	db, err := store.Open(store.Config{URL: *path})
	if err != nil {
		panic(err)
	}
	if err := db.Migrate(ctx); err != nil {
		panic(err)
	}
	if *mmap {
		sq, _ := db.SQL()
		if _, err := sq.Exec("PRAGMA mmap_size = 4294967296"); err != nil {
			panic(err)
		}
	}
	d, _ := domain.ParseDate("2027-01-04")
	cal := workdays.New([]domain.Date{d})
	db.Evaluate = readiness.Evaluator(time.Now, cal)
	f, _ := os.Create(*prof)
	pprof.StartCPUProfile(f)
	began := time.Now()
	pass, err := db.PrepareReadiness(ctx, readiness.Fingerprint(cal.Fingerprint()))
	fmt.Println("near", pass.Near, err, time.Since(began))
	if *full {
		began = time.Now()
		err = pass.Run(ctx, 0, nil)
		fmt.Println("rest", err, time.Since(began))
	}
	pprof.StopCPUProfile()
}
