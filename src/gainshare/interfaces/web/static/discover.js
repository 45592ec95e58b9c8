// Discover pages' charts (CSP: no inline scripts). Draws each [data-discover-chart] with Plotly from the wheel's
// bundle; on a chart with data-trend-target, a click on a practice's point loads its trend (the URL in the
// point's customdata) into that element through htmx, then moves focus to the trend's heading.

function showTrend (url, target) {
  if (!window.htmx) {
    window.location.assign(url)
    return
  }
  window.htmx.ajax('GET', url, { target, swap: 'innerHTML' }).then(() => {
    const heading = document.querySelector(target + ' h2')
    if (heading) heading.focus()
  })
}

function drawDiscoverCharts (root) {
  if (!window.Plotly) return
  root.querySelectorAll('[data-discover-chart]').forEach((element) => {
    if (element.getAttribute('data-chart-ready')) return
    const figure = JSON.parse(element.getAttribute('data-discover-chart'))
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config).then(() => {
      element.setAttribute('data-chart-ready', 'true')
      const target = element.getAttribute('data-trend-target')
      if (!target) return
      element.on('plotly_click', (event) => {
        const point = event.points && event.points[0]
        if (point && typeof point.customdata === 'string') showTrend(point.customdata, target)
      })
    })
  })
}

document.body.addEventListener('htmx:afterSwap', (event) => drawDiscoverCharts(event.target))
drawDiscoverCharts(document)
