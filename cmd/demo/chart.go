//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// series is one set of bars of a chart: a value per category.
type series struct {
	name   string
	values []float64
}

// checkChartFile reports an error if file's extension names no format
// writeChart knows, so that commands can refuse it before measuring.
func checkChartFile(file string) error {
	switch ext := strings.ToLower(filepath.Ext(file)); ext {
	case ".svg", ".png", ".pdf":
		return nil
	default:
		return fmt.Errorf("chart %s: unsupported format %q (use .svg, .png or .pdf)", file, ext)
	}
}

// addValueLabels writes each value, formatted with format, centred above
// its bar (the bar of category i is at x = i, moved by offset).
func addValueLabels(p *plot.Plot, values []float64, format string, offset vg.Length) error {
	xyl := plotter.XYLabels{XYs: make(plotter.XYs, len(values)), Labels: make([]string, len(values))}
	for i, v := range values {
		xyl.XYs[i] = plotter.XY{X: float64(i), Y: v}
		xyl.Labels[i] = fmt.Sprintf(format, v)
	}
	labels, err := plotter.NewLabels(xyl)
	if err != nil {
		return err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].Font.Size = vg.Points(8)
	}
	labels.Offset = vg.Point{X: offset, Y: vg.Points(2)}
	p.Add(labels)
	return nil
}

// writeChart draws a grouped bar chart (one group of bars per category,
// one bar per series, each labelled with its value printed by format)
// and saves it to file, whose extension picks the
// format: .svg, .png or .pdf. It uses gonum.org/v1/plot, which writes
// these formats directly with no browser or network involved.
func writeChart(file, title, ylabel, format string, categories []string, ss []series) error {
	if err := checkChartFile(file); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.Y.Min = 0
	p.Legend.Top = true
	p.Legend.Left = false
	top := 0.0
	for _, s := range ss {
		for _, v := range s.values {
			top = max(top, v)
		}
	}
	// Room above the tallest bar for the legend (about 13 points per entry
	// in a plot area of about 250 points) and the value labels.
	p.Y.Max = top / (1 - 13*float64(len(ss))/250 - 0.08)
	w := vg.Points(float64(min(28, 110/max(len(ss), 1))))
	for i, s := range ss {
		bars, err := plotter.NewBarChart(plotter.Values(s.values), w)
		if err != nil {
			return fmt.Errorf("chart %s: %w", file, err)
		}
		bars.LineStyle.Width = vg.Length(0)
		bars.Color = plotutil.Color(i)
		bars.Offset = w * vg.Length(float64(i)-float64(len(ss)-1)/2)
		p.Add(bars)
		p.Legend.Add(s.name, bars)
		if err := addValueLabels(p, s.values, format, bars.Offset); err != nil {
			return fmt.Errorf("chart %s: %w", file, err)
		}
	}
	p.NominalX(categories...)
	p.X.Min, p.X.Max = -0.6, float64(len(categories))-0.4 // margins around the outer groups
	width := vg.Length(max(6, float64(len(categories))*1.3)) * vg.Inch
	if err := p.Save(width, 4*vg.Inch, file); err != nil {
		return fmt.Errorf("chart %s: %w", file, err)
	}
	return nil
}
