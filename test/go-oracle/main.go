// Command go-template-oracle is the reference for the TypeScript text/template engine: it renders
// JSON-lines cases with Go's own text/template and the predecessor tool's functions.
//
// Input, one JSON object per line on stdin:  {"name": string, "tmpl": string, "data": object, "env": {string: string}}
// Output, one JSON object per line on stdout, in input order: {"name": string, "ok": bool, "out": string, "error": string}
//
// When the output is not valid UTF-8 (JSON would replace the bad bytes with U+FFFD), the exact
// bytes are added as "outBase64" so a byte-for-byte comparison stays possible.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"
)

type testCase struct {
	Name string            `json:"name"`
	Tmpl string            `json:"tmpl"`
	Data json.RawMessage   `json:"data"`
	Env  map[string]string `json:"env"`
}

type result struct {
	Name      string `json:"name"`
	OK        bool   `json:"ok"`
	Out       string `json:"out"`
	Error     string `json:"error"`
	OutBase64 string `json:"outBase64,omitempty"`
}

// fixedNow is what `now` returns; the TypeScript side is given the same instant.
var fixedNow = time.Date(2026, 2, 6, 10, 0, 0, 0, time.UTC)

// funcs are the predecessor tool's template functions. The Go signatures matter: text/template's
// reflection derives the argument conversions and their error messages from them.
func funcs(env map[string]string) template.FuncMap {
	return template.FuncMap{
		"default": func(value, fallback string) string {
			if strings.TrimSpace(value) == "" {
				return fallback
			}
			return value
		},
		"toLower": func(s string) string { return strings.ToLower(s) },
		"slug": func(s string) string {
			s = strings.ToLower(strings.TrimSpace(s))
			s = strings.ReplaceAll(s, " ", "-")
			return strings.ReplaceAll(s, "_", "-")
		},
		"truncSHA": func(s string) string {
			if len(s) > 12 {
				return s[:12]
			}
			return s
		},
		"envOr": func(key, fallback string) string {
			if v, ok := env[key]; ok && v != "" {
				return v
			}
			return fallback
		},
		"ternary": func(cond bool, a, b interface{}) interface{} {
			if cond {
				return a
			}
			return b
		},
		"now":  func() time.Time { return fixedNow },
		"join": func(list []string, sep string) string { return strings.Join(list, sep) },
		"indent": func(n int, s string) string {
			if s == "" {
				return ""
			}
			pad := strings.Repeat(" ", n)
			lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
			for i, l := range lines {
				lines[i] = pad + l
			}
			return strings.Join(lines, "\n")
		},
		"trimPrefix": func(s, prefix string) string { return strings.TrimPrefix(s, prefix) },
	}
}

// convert applies the data rule shared with the TypeScript side (fromJSON): objects become
// map[string]interface{}; numbers become int when integral and within int64, else float64
// (decided on the float64 value, the way JavaScript sees the number); non-empty all-string arrays
// become []string, other arrays []interface{}. Every slice has cap == len.
func convert(v interface{}) interface{} {
	switch x := v.(type) {
	case map[string]interface{}:
		for k, e := range x {
			x[k] = convert(e)
		}
		return x
	case []interface{}:
		allStrings := len(x) > 0
		for _, e := range x {
			if _, ok := e.(string); !ok {
				allStrings = false
				break
			}
		}
		if allStrings {
			out := make([]string, len(x))
			for i, e := range x {
				out[i] = e.(string)
			}
			return out
		}
		// A fresh slice with cap == len: the decoder's own has spare capacity from append, which `slice`
		// (it checks indexes against cap) would expose.
		out := make([]interface{}, len(x))
		for i, e := range x {
			out[i] = convert(e)
		}
		return out
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			// Out of float64 range: keep what ParseFloat gives (±Inf), as JavaScript would.
			return f
		}
		if f == math.Trunc(f) && math.Abs(f) < math.Exp2(63) {
			return int(int64(f))
		}
		return f
	default:
		return v
	}
}

func decodeData(raw json.RawMessage) (interface{}, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		// Like the CLI: absent or null data is an empty object.
		return map[string]interface{}{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convert(v), nil
}

func render(c testCase) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("oracle panic: %v", r)
		}
	}()
	data, err := decodeData(c.Data)
	if err != nil {
		return "", fmt.Errorf("oracle: bad data: %v", err)
	}
	env := c.Env
	if env == nil {
		env = map[string]string{}
	}
	t, err := template.New(c.Name).Option("missingkey=default").Funcs(funcs(env)).Parse(c.Tmpl)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func main() {
	in := json.NewDecoder(bufio.NewReaderSize(os.Stdin, 1<<20))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer w.Flush()
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for n := 1; ; n++ {
		var c testCase
		if err := in.Decode(&c); err != nil {
			if err == io.EOF {
				return
			}
			w.Flush()
			fmt.Fprintf(os.Stderr, "go-template-oracle: input value %d: %v\n", n, err)
			os.Exit(2)
		}
		out, err := render(c)
		r := result{Name: c.Name, OK: err == nil, Out: out}
		if err != nil {
			r.Error = err.Error()
		}
		if !utf8.ValidString(r.Out) {
			r.OutBase64 = base64.StdEncoding.EncodeToString([]byte(r.Out))
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(os.Stderr, "go-template-oracle: %v\n", err)
			os.Exit(2)
		}
	}
}
