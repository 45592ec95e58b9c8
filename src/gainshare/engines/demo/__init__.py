"""The demo federation: a seeded synthetic GP federation and its hospital and hub activity.

Pure generation: parameters and a seed in, numpy arrays and plain values out. Writing files is
`gainshare.adapters.demo_writer`'s job. Every code, name and count here is synthetic.
"""
