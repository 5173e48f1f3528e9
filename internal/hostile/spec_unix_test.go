//go:build unix

package hostile

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestHostile_SpecRefToAFifoDoesNotHang(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Skipf("no fifo: %v", err)
	}
	writeFile(t, filepath.Join(dir, "spec.json"), `{"openapi":"3.0.0","info":{"title":"t","version":"1"},
"paths":{"/f":{"get":{"parameters":[{"$ref":"fifo.yaml#/p"}],"responses":{"200":{"$ref":"fifo.yaml"}}}}}}`)
	rep, err, took := specScan(t, okTarget(t).URL+"/", filepath.Join(dir, "spec.json"))
	if took > 5*time.Second {
		t.Errorf("a $ref to a fifo held the scan for %v", took)
	}
	if rep != nil && len(rep.Warnings) == 0 {
		t.Errorf("no warning about the $ref to a fifo")
	}
	t.Logf("err %v", err)
}
