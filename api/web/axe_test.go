package web_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// axe-core is fetched at test time and never kept in the repository: from
// CPCREADY_AXE_JS when set (CI installs it with npm), else from the npm
// registry, checked against the tarball's published integrity, and cached
// outside the repository.
const (
	axeVersion   = "4.14.1"
	axeTarball   = "https://registry.npmjs.org/axe-core/-/axe-core-" + axeVersion + ".tgz"
	axeIntegrity = "FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)

func axeSource(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CPCREADY_AXE_JS"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("CPCREADY_AXE_JS: %v", err)
		}
		return string(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	path := filepath.Join(cache, "cpcready-test", "axe-core-"+axeVersion+".min.js")
	if b, err := os.ReadFile(path); err == nil {
		return string(b)
	}
	src, err := downloadAxe()
	if err != nil {
		t.Skipf("browser tests skipped: axe-core %s could not be fetched (%v); set CPCREADY_AXE_JS to a copy of axe.min.js", axeVersion, err)
	}
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	_ = os.WriteFile(path, src, 0o644)
	return string(src)
}

func downloadAxe() ([]byte, error) {
	c := &http.Client{Timeout: 60 * time.Second}
	res, err := c.Get(axeTarball)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, errStatus(res.Status)
	}
	tgz, err := io.ReadAll(io.LimitReader(res.Body, 20<<20))
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(tgz)
	if base64.StdEncoding.EncodeToString(sum[:]) != axeIntegrity {
		return nil, errStatus("the tarball does not match its published integrity")
	}
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return nil, err
		}
		if h.Name == "package/axe.min.js" {
			return io.ReadAll(tr)
		}
	}
}

type errStatus string

func (e errStatus) Error() string { return string(e) }
