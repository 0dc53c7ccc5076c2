"""SAT's web services seen from Timbre: mass download (Descarga Masiva) and the CFDI status service.

`base.py` is the contract every implementation keeps: live mode talks to SAT over SOAP (`live_*`),
test mode to a simulated SAT of ours whose data are the CFDI stamped on this server (`simulated*`).
"""
