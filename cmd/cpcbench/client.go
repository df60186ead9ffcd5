package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
)

// client makes the few requests a run needs before the load starts.
type client struct {
	key  string
	http *http.Client
}

func newClient(key string) *client {
	return &client{key: key, http: &http.Client{Transport: &http.Transport{Proxy: nil}}}
}

func (c *client) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %.500s", u, resp.Status, body)
	}
	return body, nil
}

// readinessBodySize is the median size of the readiness answers of a
// spread of seeded conferences; it also proves the seeded ids and the key
// work before any load starts.
func (c *client) readinessBodySize(ctx context.Context, base string, n int, seed uint64) (int, error) {
	const samples = 21
	var sizes []int
	for k := range min(samples, n) {
		i := k * n / min(samples, n)
		body, err := c.get(ctx, base+"/v1/conferences/"+conferenceID(seed, i)+"/readiness")
		if err != nil {
			return 0, err
		}
		sizes = append(sizes, len(body))
	}
	slices.Sort(sizes)
	return sizes[len(sizes)/2], nil
}

// listPages follows the list's cursors from first to last and returns the
// address of every page, so that the list scenario can ask for any page.
func (c *client) listPages(ctx context.Context, first string) ([]string, error) {
	const most = 2000
	pages := []string{first}
	for len(pages) < most {
		body, err := c.get(ctx, pages[len(pages)-1])
		if err != nil {
			return nil, err
		}
		var page struct {
			NextCursor *string `json:"next_cursor"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("list page: %w", err)
		}
		if page.NextCursor == nil {
			break
		}
		pages = append(pages, first+"&cursor="+url.QueryEscape(*page.NextCursor))
	}
	return pages, nil
}
