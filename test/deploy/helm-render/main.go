// Command helm-render renders a Helm chart's templates with Go's text/template and the sprig
// function library, the same engine Helm uses, plus the Helm functions the chart calls
// (include, tpl, toYaml, required, lookup). It lets the tests check the chart offline.
//
// Usage: helm-render <chart dir> <values.json> <release name> <namespace>
// Prints a JSON object: template path -> rendered text.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type chartMeta struct {
	Name       string `yaml:"name"`
	Version    string `yaml:"version"`
	AppVersion string `yaml:"appVersion"`
}

func fail(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "helm-render: "+format+"\n", a...)
	os.Exit(1)
}

func toYaml(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func main() {
	if len(os.Args) != 5 {
		fail("usage: helm-render <chart dir> <values.json> <release> <namespace>")
	}
	dir, valuesFile, release, namespace := os.Args[1], os.Args[2], os.Args[3], os.Args[4]

	var meta chartMeta
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		fail("%v", err)
	}
	if err := yaml.Unmarshal(raw, &meta); err != nil {
		fail("Chart.yaml: %v", err)
	}
	var values map[string]interface{}
	raw, err = os.ReadFile(valuesFile)
	if err != nil {
		fail("%v", err)
	}
	if err := json.Unmarshal(raw, &values); err != nil {
		fail("values: %v", err)
	}

	root := template.New("chart")
	funcs := sprig.TxtFuncMap()
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf strings.Builder
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = t.Execute(&buf, data)
		return buf.String(), err
	}
	funcs["toYaml"] = toYaml
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	// No cluster to ask: lookup finds nothing, as with `helm template`.
	funcs["lookup"] = func(string, string, string, string) map[string]interface{} { return map[string]interface{}{} }
	root.Funcs(funcs).Option("missingkey=zero")

	files, err := filepath.Glob(filepath.Join(dir, "templates", "*"))
	if err != nil {
		fail("%v", err)
	}
	sort.Strings(files)
	var names []string
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			fail("%v", err)
		}
		name := meta.Name + "/templates/" + filepath.Base(f)
		if _, err := root.New(name).Parse(string(text)); err != nil {
			fail("%s: %v", name, err)
		}
		names = append(names, name)
	}

	data := map[string]interface{}{
		"Values":       values,
		"Release":      map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Chart":        map[string]interface{}{"Name": meta.Name, "Version": meta.Version, "AppVersion": meta.AppVersion},
		"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.30.0"}},
	}
	out := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(filepath.Base(name), "_") {
			continue
		}
		scoped := map[string]interface{}{}
		for k, v := range data {
			scoped[k] = v
		}
		scoped["Template"] = map[string]interface{}{"Name": name, "BasePath": meta.Name + "/templates"}
		var buf strings.Builder
		if err := root.ExecuteTemplate(&buf, name, scoped); err != nil {
			fail("%v", err)
		}
		out[name] = buf.String()
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		fail("%v", err)
	}
}
