// Maps on the hub design page (CSP: no inline scripts). The map is server-drawn SVG; this adds panning (drag),
// zooming (wheel and buttons) and a reset, by changing the SVG's viewBox. Without script the map still shows.

function attach (figure) {
  const svg = figure.querySelector('svg')
  if (!svg) return
  const initial = svg.getAttribute('viewBox').split(' ').map(Number)
  let box = initial.slice()
  let drag = null

  const show = () => svg.setAttribute('viewBox', box.join(' '))
  const at = (event) => {
    const r = svg.getBoundingClientRect()
    return [box[0] + (event.clientX - r.left) / r.width * box[2], box[1] + (event.clientY - r.top) / r.height * box[3]]
  }
  const zoom = (centre, factor) => {
    box = [centre[0] - (centre[0] - box[0]) * factor, centre[1] - (centre[1] - box[1]) * factor,
      box[2] * factor, box[3] * factor]
    show()
  }
  const middle = () => [box[0] + box[2] / 2, box[1] + box[3] / 2]

  svg.addEventListener('wheel', (event) => {
    event.preventDefault()
    zoom(at(event), event.deltaY < 0 ? 0.8 : 1.25)
  }, { passive: false })
  svg.addEventListener('pointerdown', (event) => {
    drag = at(event)
    svg.setPointerCapture(event.pointerId)
  })
  svg.addEventListener('pointermove', (event) => {
    if (!drag) return
    const p = at(event)
    box[0] -= p[0] - drag[0]
    box[1] -= p[1] - drag[1]
    show()
  })
  svg.addEventListener('pointerup', () => { drag = null })

  const controls = figure.querySelector('.gs-map-controls')
  if (controls) {
    controls.hidden = false
    controls.addEventListener('click', (event) => {
      const action = event.target.closest('[data-map]')
      if (!action) return
      const kind = action.getAttribute('data-map')
      if (kind === 'in') zoom(middle(), 0.8)
      if (kind === 'out') zoom(middle(), 1.25)
      if (kind === 'reset') { box = initial.slice(); show() }
    })
  }
  figure.setAttribute('data-map-ready', 'true')
}

document.querySelectorAll('[data-pan-zoom]').forEach(attach)
