#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Draws colorizers' trade-off curves (PSNR against colourfulness, one point per --vividness value) as
# an SVG, from the tables tests/colorize_curve.sh prints, with the grey baseline as a dashed line.
#   tests/plot_curves.py OUT.svg LABEL=TABLE.md [LABEL=TABLE.md...]
import sys

def rows(path):
    points, grey = [], None
    for line in open(path):
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 4 or not cells[0].replace('.', '').isdigit():
            continue
        points.append((float(cells[3].rstrip('%')), float(cells[1]), cells[0]))
        grey = float(cells[2])
    return points, grey

def main():
    if len(sys.argv) < 3:
        sys.exit("usage: plot_curves.py OUT.svg LABEL=TABLE.md...")
    curves = []
    for arg in sys.argv[2:]:
        label, path = arg.split('=', 1)
        curves.append((label, *rows(path)))
    xs = [p[0] for _, pts, _ in curves for p in pts]
    ys = [p[1] for _, pts, _ in curves for p in pts] + [g for _, _, g in curves if g]
    x0, x1 = 0, max(100, max(xs) + 5)
    y0, y1 = min(ys) - 0.3, max(ys) + 0.3
    W, H, L, B = 560, 360, 60, 40
    sx = lambda x: L + (x - x0) / (x1 - x0) * (W - L - 20)
    sy = lambda y: H - B - (y - y0) / (y1 - y0) * (H - B - 20)
    colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd']
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<line x1="{L}" y1="{H - B}" x2="{W - 20}" y2="{H - B}" stroke="black"/>',
           f'<line x1="{L}" y1="20" x2="{L}" y2="{H - B}" stroke="black"/>',
           f'<text x="{(W + L) / 2}" y="{H - 8}" text-anchor="middle">colourfulness, % of the truth\'s</text>',
           f'<text x="14" y="{(H - B) / 2}" transform="rotate(-90 14 {(H - B) / 2})" text-anchor="middle">PSNR, dB</text>']
    for x in range(0, int(x1) + 1, 20):
        out.append(f'<text x="{sx(x)}" y="{H - B + 15}" text-anchor="middle">{x}</text>')
    y = round(y0, 1)
    while y <= y1:
        out.append(f'<text x="{L - 5}" y="{sy(y) + 4}" text-anchor="end">{y:.1f}</text>')
        y = round(y + 0.5, 1) if y1 - y0 > 2 else round(y + 0.2, 1)
    grey = next((g for _, _, g in curves if g), None)
    if grey:
        out.append(f'<line x1="{L}" y1="{sy(grey)}" x2="{W - 20}" y2="{sy(grey)}" stroke="grey" stroke-dasharray="5,4"/>')
        out.append(f'<text x="{W - 22}" y="{sy(grey) - 4}" text-anchor="end" fill="grey">grey input</text>')
    for i, (label, pts, _) in enumerate(curves):
        c = colours[i % len(colours)]
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (c, ' '.join(f'{sx(x)},{sy(y)}' for x, y, _ in pts)))
        for x, y, v in pts:
            out.append(f'<circle cx="{sx(x)}" cy="{sy(y)}" r="3" fill="{c}"/>')
            out.append(f'<text x="{sx(x) + 5}" y="{sy(y) - 5}" fill="{c}" font-size="10">{v}</text>')
        out.append(f'<text x="{L + 10}" y="{34 + 16 * i}" fill="{c}">{label}</text>')
    out.append('</svg>')
    open(sys.argv[1], 'w').write('\n'.join(out) + '\n')

main()
