# %% [markdown]
# # 话术质检 with huashu: a QA analyst's notebook
#
# A notebook in the percent format: open it in Jupyter (with Jupytext), VS Code or PyCharm
# and run it cell by cell, or run it whole with `python qa_notebook.py`. It needs the
# `huashu` wheel, pandas, pyarrow and polars.
#
# 1. score a chat system's export (one row per turn) into two frames: transcripts and
#    findings;
# 2. ask the questions a QA lead asks: pass rate per agent, the rules that cost the most;
# 3. check one message before an agent sends it, and follow a live chat;
# 4. write the HTML report for the team.

# %%
import os

import pandas as pd
import polars as pl
import pyarrow as pa

import huashu

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)
checker = huashu.Checker.builtin()  # compile once; share it everywhere
print(f"huashu {huashu.__version__}: {len(checker.rules())} rules in the built-in pack")

# %% [markdown]
# ## 1. Score an export
# `chat-export.csv` is what a chat system exports: Chinese headers, one row per message,
# conversations interleaved. `score_frame` groups the rows by conversation, as
# `huashu check chat-export.csv` does, and scores them in Rust on every core.

# %%
export = pd.read_csv(os.path.join(EXAMPLES, "exports", "chat-export.csv"), encoding="utf-8-sig")
print(export.head(3).to_string())
transcripts, findings = huashu.score_frame(
    export, id="会话ID", role="角色", text="内容", time="发送时间", agent="客服工号"
)
print(transcripts[["id", "agent", "score", "passed", "findings", "deducted"]].to_string())

# %% [markdown]
# Every deduction has its evidence: the rule, the turn, the words and the clause of the
# standard it comes from.

# %%
print(findings[["id", "rule", "severity", "deduct", "turn", "text", "source"]].to_string())

# %% [markdown]
# ## 2. What a QA lead asks

# %%
per_agent = (
    transcripts.groupby("agent")
    .agg(transcripts=("id", "size"), pass_rate=("passed", "mean"), mean_score=("score", "mean"))
    .sort_values("pass_rate")
)
print(per_agent.to_string())

top_rules = (
    findings.groupby(["rule", "severity"])
    .agg(findings=("id", "size"), transcripts=("id", "nunique"), points=("deduct", "sum"))
    .sort_values("points", ascending=False)
)
print(top_rules.head(10).to_string())

# %% [markdown]
# The same through Arrow, with Polars, without a Python object per row: `score_arrow` takes
# anything that speaks the Arrow C stream interface and returns `pyarrow.Table`s.

# %%
frame = pl.from_pandas(export)
scores, found = huashu.score_arrow(
    frame, id="会话ID", role="角色", text="内容", time="发送时间", agent="客服工号"
)
assert isinstance(scores, pa.Table)
print(pl.from_arrow(scores).select("id", "score", "passed"))

# %% [markdown]
# ## 3. Live: check a draft before it is sent, and follow a chat

# %%
for finding in checker.check_message("agent", "这个我不知道，你找领导去呀！"):
    print(f'{finding["rule"]}: “{finding["text"]}” — {finding["message"]}; say instead: {finding["suggest"]}')

chat = checker.session("live-1", channel="chat", agent="1024")
chat.push("customer", "你好，我的快递三天了还没到", time=0)
update = chat.push("agent", "您好，我是1024号客服，很高兴为您服务，我帮您查一下", time=20)
print("still owed:", [p["rule"] for p in update["pending"]])
chat.push("customer", "好的，谢谢", time=60)
print("still owed:", [p["rule"] for p in chat.pending()])
report = chat.finish()
print("score", report["score"], "passed", report["passed"])

# %% [markdown]
# ## 4. The report for the team
# `huashu.report` writes the page `huashu report` writes: charts, a table of transcripts,
# and each transcript with its findings marked in its sentences. With `turns=True` the
# reports carry the turns the page shows.

# %%
records = []
for name in ["phone-calls.jsonl", "chats.jsonl", "emails.jsonl"]:
    with open(os.path.join(EXAMPLES, "transcripts", name), encoding="utf-8") as f:
        records += [line for line in f if line.strip()]
results = checker.check_many(records, turns=True)
out = os.environ.get("HUASHU_OUT", HERE)
page = huashu.report(results, os.path.join(out, "qa-report.html"), title="示例质检报告")
print("open", page)
