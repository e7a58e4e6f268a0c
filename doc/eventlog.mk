# Documentation of the firmware event log area.
dist_man_MANS += tnc-eventlog.1
