"""``hipcoach batch``: many clips analysed on local worker processes or a Dask cluster, resumable.

expand (paths -> videos), keys (the resume key, ENGINE_VERSION), results (tasks, result records and where
outputs go), run_one (one clip -> its schema-1 JSON, in a worker), local_pool and dask_runner (where the tasks
run), runner (plan, run, progress, summary) and summary (the CSV and HTML table). No Qt anywhere.
"""
