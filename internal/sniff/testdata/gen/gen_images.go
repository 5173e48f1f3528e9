//go:build ignore

// gen_images writes testdata/negative/images.txt: base64 (plain and as data:
// URIs) of small PNG, GIF and JPEG images encoded by Go's standard library,
// the kind of values APIs return for avatars and thumbnails.
//
//	go run gen_images.go
package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand"
	"os"
	"strings"
)

func main() {
	rng := rand.New(rand.NewSource(20240501))
	var lines []string
	for i := 0; i < 12; i++ {
		w, h := 1+rng.Intn(12), 1+rng.Intn(12)
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				img.Set(x, y, color.RGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), 255})
			}
		}
		for _, f := range []struct {
			mime string
			enc  func(*bytes.Buffer) error
		}{
			{"image/png", func(b *bytes.Buffer) error { return png.Encode(b, img) }},
			{"image/gif", func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) }},
			{"image/jpeg", func(b *bytes.Buffer) error { return jpeg.Encode(b, img, &jpeg.Options{Quality: 50 + i*4}) }},
		} {
			var b bytes.Buffer
			if err := f.enc(&b); err != nil {
				panic(err)
			}
			s := base64.StdEncoding.EncodeToString(b.Bytes())
			if i%3 == 0 {
				s = "data:" + f.mime + ";base64," + s
			} else if i%3 == 1 {
				s = base64.RawURLEncoding.EncodeToString(b.Bytes())
			}
			lines = append(lines, s)
		}
	}
	if err := os.WriteFile("../negative/images.txt", []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		panic(err)
	}
	fmt.Println(len(lines), "image values")
}
