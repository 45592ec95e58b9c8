// The pages' only script (CSP: no inline scripts). NHS.UK frontend components, the CSRF header for htmx
// requests, and Plotly charts drawn from their data-plotly attribute.
import { initAll } from '/static/nhsuk/nhsuk-frontend.min.js'

document.body.classList.add('js-enabled', 'nhsuk-frontend-supported')
initAll()

function csrfToken () {
  const meta = document.querySelector('meta[name="csrf-token"]')
  return meta ? meta.getAttribute('content') : ''
}

document.body.addEventListener('htmx:configRequest', (event) => {
  event.detail.headers['X-CSRF-Token'] = csrfToken()
})

function drawCharts (root) {
  if (!window.Plotly) return
  root.querySelectorAll('[data-plotly]').forEach((element) => {
    const figure = JSON.parse(element.getAttribute('data-plotly'))
    window.Plotly.newPlot(element, figure.data, figure.layout, figure.config).then(() => {
      element.setAttribute('data-chart-ready', 'true')
    })
  })
}

function ready () {
  drawCharts(document)
  document.body.addEventListener('htmx:afterSwap', (event) => drawCharts(event.target))
}

if (document.readyState === 'complete') {
  ready()
} else {
  window.addEventListener('load', ready)
}
