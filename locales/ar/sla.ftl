# sla
