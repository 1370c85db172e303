# Two commands: `make run` (set up, build, start the web app) and `make test` (set up, run the tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TESTSTAMP := $(VENV)/.installed-test
TORCHSTAMP := $(VENV)/.installed-torch
TEST_WORKERS ?= 2  # pytest-xdist processes for `make test` (the tests wait on servers and subprocesses: 2 on 2 cores)

export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install build run test eval bench stress sizing calibrate clean

# `install` is what serving needs (no torch, no pytest, no playwright); `test` adds the test extras (with torch),
# `bench` torch (its baseline is llama-index over sentence-transformers). Each prints its time and the venv's size.
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	t0=$$(date +%s) && $(PYTHON) -m venv $(VENV) \
	  && $(PY) -m pip install -q --upgrade pip \
	  && $(PY) -m pip install -q -c constraints.txt -e . \
	  && $(PY) -m kbqa.devtools.installed --since $$t0 --what install
	touch $(STAMP)

$(TORCHSTAMP): $(STAMP)
	t0=$$(date +%s) && $(PY) -m pip install -q -c constraints.txt -e '.[torch]' \
	  && $(PY) -m kbqa.devtools.installed --since $$t0 --what torch
	touch $(TORCHSTAMP)

$(TESTSTAMP): $(STAMP)
	t0=$$(date +%s) && $(PY) -m pip install -q -c constraints.txt -e '.[test]' \
	  && $(PY) -m kbqa.devtools.installed --since $$t0 --what test
	touch $(TORCHSTAMP) $(TESTSTAMP)

build: install
	$(VENV)/bin/kbqa build

run: build
	$(PY) app.py

test: $(TESTSTAMP)
	$(PY) -m pytest -q -n $(TEST_WORKERS) --durations=15

eval: install
	$(VENV)/bin/kbqa eval eval/dev.jsonl eval/dev_oldtest.jsonl eval/dev_conv.jsonl eval/dev_conv2.jsonl eval/dev_conv3.jsonl eval/dev_conv4.jsonl eval/dev_conv5.jsonl eval/dev_conv6.jsonl eval/dev_conv7.jsonl eval/dev_conv8.jsonl eval/dev_conv9.jsonl eval/dev_conv10.jsonl eval/dev_conv11.jsonl eval/dev_conv12.jsonl eval/dev_conv13.jsonl eval/dev_conv14.jsonl eval/dev_conv15.jsonl eval/dev_conv16.jsonl eval/dev_conv17.jsonl eval/dev_conv18.jsonl eval/dev_near18.jsonl eval/dev_conv19.jsonl eval/dev_conv20.jsonl eval/dev_conv21.jsonl eval/dev_conv22.jsonl eval/dev_conv23.jsonl eval/dev_conv24.jsonl eval/dev_conv25.jsonl eval/dev_conv26.jsonl eval/dev_conv27.jsonl eval/dev_conv28.jsonl eval/dev_conv29.jsonl eval/dev_conv30.jsonl eval/dev_conv31.jsonl eval/dev_conv32.jsonl eval/dev_conv33.jsonl eval/dev_conv34.jsonl eval/dev_conv35.jsonl eval/dev_conv36.jsonl eval/dev_conv37.jsonl eval/dev_conv38.jsonl eval/dev_conv39.jsonl eval/dev_conv40.jsonl eval/dev_conv41.jsonl eval/dev_conv42.jsonl eval/dev_conv43.jsonl eval/dev_conv44.jsonl eval/dev_conv45.jsonl eval/dev_conv46.jsonl eval/dev_conv47.jsonl eval/dev_conv48.jsonl eval/dev_conv49.jsonl eval/dev_conv50.jsonl eval/dev_conv51.jsonl eval/dev_conv52.jsonl eval/dev_conv53.jsonl eval/dev_conv54.jsonl eval/dev_conv55.jsonl eval/dev_conv56.jsonl eval/dev_conv57.jsonl eval/dev_conv58.jsonl eval/dev_conv59.jsonl eval/dev_conv60.jsonl eval/dev_conv61.jsonl eval/dev_conv62.jsonl eval/dev_conv63.jsonl eval/dev_conv64.jsonl eval/dev_conv65.jsonl eval/dev_conv66.jsonl eval/dev_conv67.jsonl eval/dev_conv68.jsonl eval/dev_conv69.jsonl eval/dev_conv70.jsonl eval/dev_conv71.jsonl eval/dev_conv72.jsonl eval/dev_conv73.jsonl eval/dev_conv74.jsonl eval/dev_conv75.jsonl eval/dev_conv76.jsonl eval/dev_conv77.jsonl eval/dev_conv78.jsonl eval/dev_conv79.jsonl eval/dev_conv80.jsonl eval/dev_conv81.jsonl eval/dev_conv82.jsonl eval/dev_conv83.jsonl eval/dev_conv84.jsonl eval/dev_conv85.jsonl eval/dev_conv86.jsonl eval/dev_conv87.jsonl eval/dev_conv88.jsonl eval/dev_conv89.jsonl eval/dev_conv90.jsonl eval/dev_conv91.jsonl eval/dev_conv92.jsonl eval/dev_conv93.jsonl eval/dev_conv94.jsonl eval/dev_conv95.jsonl eval/dev_conv96.jsonl eval/dev_conv97.jsonl eval/dev_conv98.jsonl eval/dev_conv99.jsonl eval/dev_conv100.jsonl eval/dev_conv101.jsonl eval/dev_conv102.jsonl eval/dev_conv103.jsonl eval/dev_conv104.jsonl eval/dev_conv105.jsonl eval/dev_conv106.jsonl eval/dev_conv107.jsonl eval/dev_conv108.jsonl eval/dev_conv109.jsonl eval/dev_conv110.jsonl eval/dev_near111.jsonl eval/dev_conv112.jsonl eval/dev_conv113.jsonl eval/dev_conv114.jsonl eval/dev_near115.jsonl eval/dev_conv116.jsonl eval/dev_near117.jsonl eval/dev_conv118.jsonl eval/dev_conv119.jsonl eval/dev_conv120.jsonl eval/dev_near121.jsonl eval/dev_conv122.jsonl eval/dev_conv123.jsonl eval/dev_conv124.jsonl eval/dev_conv125.jsonl eval/dev_conv126.jsonl eval/dev_conv127.jsonl eval/dev_conv128.jsonl eval/dev_conv129.jsonl eval/dev_conv130.jsonl eval/dev_conv131.jsonl eval/dev_conv132.jsonl eval/dev_conv133.jsonl eval/dev_conv134.jsonl eval/dev_conv135.jsonl eval/dev_conv136.jsonl eval/dev_conv137.jsonl eval/dev_conv138.jsonl eval/dev_conv139.jsonl eval/dev_conv140.jsonl eval/dev_conv141.jsonl eval/dev_conv142.jsonl eval/dev_conv143.jsonl eval/dev_conv144.jsonl eval/dev_conv145.jsonl eval/dev_conv146.jsonl eval/dev_conv147.jsonl eval/dev_conv148.jsonl eval/dev_conv149.jsonl eval/dev_conv150.jsonl eval/dev_conv151.jsonl eval/dev_conv152.jsonl eval/dev_conv153.jsonl eval/dev_conv154.jsonl eval/dev_conv155.jsonl eval/dev_conv156.jsonl eval/dev_conv157.jsonl eval/dev_conv158.jsonl eval/dev_conv159.jsonl eval/dev_conv160.jsonl eval/dev_conv161.jsonl eval/dev_conv162.jsonl eval/dev_conv163.jsonl eval/dev_conv164.jsonl eval/dev_conv165.jsonl eval/dev_conv166.jsonl eval/dev_conv167.jsonl eval/dev_conv168.jsonl eval/dev_conv169.jsonl eval/dev_conv170.jsonl eval/dev_conv171.jsonl eval/dev_conv172.jsonl eval/dev_conv173.jsonl eval/dev_conv174.jsonl eval/dev_conv175.jsonl eval/dev_conv176.jsonl eval/dev_conv177.jsonl eval/dev_conv178.jsonl eval/dev_conv179.jsonl eval/dev_conv180.jsonl eval/dev_conv181.jsonl eval/dev_conv182.jsonl eval/dev_conv183.jsonl eval/dev_conv184.jsonl eval/dev_conv185.jsonl eval/dev_conv186.jsonl eval/dev_conv187.jsonl eval/dev_conv188.jsonl eval/dev_conv189.jsonl eval/dev_conv190.jsonl eval/dev_conv191.jsonl eval/dev_conv192.jsonl eval/dev_conv193.jsonl eval/dev_conv194.jsonl eval/dev_conv195.jsonl eval/dev_conv196.jsonl eval/dev_conv197.jsonl eval/dev_conv198.jsonl eval/dev_conv199.jsonl eval/dev_conv200.jsonl eval/dev_conv201.jsonl eval/dev_conv202.jsonl eval/dev_conv203.jsonl eval/dev_conv204.jsonl eval/dev_conv205.jsonl eval/dev_conv206.jsonl eval/dev_conv207.jsonl eval/dev_conv208.jsonl eval/dev_conv209.jsonl eval/dev_conv210.jsonl eval/dev_conv211.jsonl eval/dev_conv212.jsonl eval/dev_conv213.jsonl eval/dev_conv214.jsonl eval/dev_conv215.jsonl eval/dev_conv216.jsonl eval/dev_conv217.jsonl eval/dev_conv218.jsonl eval/dev_conv219.jsonl eval/dev_conv220.jsonl eval/dev_conv221.jsonl eval/dev_conv222.jsonl eval/dev_conv223.jsonl eval/dev_conv224.jsonl eval/dev_conv225.jsonl eval/dev_conv226.jsonl eval/dev_conv227.jsonl eval/dev_conv228.jsonl eval/dev_conv229.jsonl eval/dev_conv230.jsonl eval/dev_conv231.jsonl eval/dev_conv232.jsonl eval/dev_conv233.jsonl eval/dev_conv234.jsonl eval/dev_conv235.jsonl eval/dev_conv236.jsonl eval/dev_conv237.jsonl eval/dev_conv238.jsonl eval/dev_conv239.jsonl eval/dev_conv240.jsonl eval/dev_conv241.jsonl eval/dev_conv242.jsonl eval/dev_conv243.jsonl eval/dev_conv244.jsonl eval/dev_conv245.jsonl eval/dev_conv246.jsonl eval/dev_conv247.jsonl eval/dev_conv248.jsonl eval/dev_conv249.jsonl eval/dev_conv250.jsonl eval/dev_conv251.jsonl eval/dev_conv252.jsonl eval/dev_conv253.jsonl eval/dev_conv254.jsonl eval/dev_conv255.jsonl eval/dev_conv256.jsonl eval/dev_conv257.jsonl eval/dev_conv258.jsonl eval/dev_conv259.jsonl eval/dev_conv260.jsonl eval/dev_conv261.jsonl eval/dev_conv262.jsonl eval/dev_conv263.jsonl eval/dev_conv264.jsonl eval/dev_conv265.jsonl eval/dev_conv266.jsonl eval/dev_conv267.jsonl eval/dev_conv268.jsonl eval/dev_conv269.jsonl eval/dev_conv270.jsonl eval/dev_conv271.jsonl eval/dev_conv272.jsonl eval/dev_conv273.jsonl eval/dev_conv274.jsonl eval/dev_conv275.jsonl eval/dev_conv276.jsonl eval/dev_conv277.jsonl eval/dev_conv278.jsonl eval/dev_conv279.jsonl eval/dev_conv280.jsonl eval/dev_conv281.jsonl eval/dev_conv282.jsonl eval/dev_conv283.jsonl eval/dev_conv284.jsonl eval/dev_conv285.jsonl eval/dev_conv286.jsonl eval/dev_conv287.jsonl eval/dev_conv288.jsonl eval/dev_conv289.jsonl eval/dev_conv290.jsonl eval/dev_conv291.jsonl eval/dev_near292.jsonl eval/dev_conv293.jsonl eval/dev_conv294.jsonl eval/dev_near295.jsonl eval/dev_conv296.jsonl eval/dev_conv297.jsonl eval/dev_conv298.jsonl eval/dev_conv299.jsonl eval/dev_conv300.jsonl eval/dev_conv301.jsonl eval/dev_conv302.jsonl eval/dev_conv303.jsonl eval/dev_conv304.jsonl eval/dev_conv305.jsonl eval/dev_conv306.jsonl eval/dev_conv307.jsonl eval/dev_conv308.jsonl eval/dev_conv309.jsonl eval/dev_conv310.jsonl eval/dev_conv311.jsonl eval/dev_conv312.jsonl eval/dev_conv313.jsonl eval/dev_conv314.jsonl eval/dev_conv315.jsonl eval/dev_conv316.jsonl eval/dev_conv317.jsonl eval/dev_conv318.jsonl eval/dev_conv319.jsonl eval/dev_conv320.jsonl eval/dev_conv321.jsonl eval/dev_conv322.jsonl eval/dev_conv323.jsonl eval/dev_conv324.jsonl eval/dev_conv325.jsonl eval/dev_conv326.jsonl eval/dev_conv327.jsonl eval/dev_conv328.jsonl eval/dev_conv329.jsonl eval/dev_conv330.jsonl eval/dev_conv331.jsonl eval/dev_conv332.jsonl eval/dev_conv333.jsonl eval/dev_conv334.jsonl eval/dev_conv335.jsonl eval/dev_conv336.jsonl eval/dev_conv337.jsonl eval/dev_conv338.jsonl eval/dev_conv339.jsonl eval/dev_conv340.jsonl eval/dev_conv341.jsonl eval/dev_conv342.jsonl eval/dev_conv343.jsonl eval/dev_conv344.jsonl eval/dev_conv345.jsonl eval/dev_conv346.jsonl eval/dev_conv347.jsonl eval/dev_conv348.jsonl eval/dev_conv349.jsonl eval/dev_conv350.jsonl eval/dev_conv351.jsonl eval/dev_conv352.jsonl eval/dev_conv353.jsonl eval/dev_conv354.jsonl eval/dev_conv355.jsonl eval/dev_conv356.jsonl eval/dev_conv357.jsonl eval/dev_conv358.jsonl eval/dev_conv359.jsonl eval/dev_conv360.jsonl eval/dev_conv361.jsonl eval/dev_conv362.jsonl eval/dev_conv363.jsonl eval/dev_conv364.jsonl eval/dev_conv365.jsonl eval/dev_conv366.jsonl eval/dev_conv367.jsonl eval/dev_conv368.jsonl eval/dev_conv369.jsonl eval/dev_conv370.jsonl eval/dev_conv371.jsonl eval/dev_conv372.jsonl eval/dev_conv373.jsonl eval/dev_conv374.jsonl eval/dev_conv375.jsonl eval/dev_conv376.jsonl eval/dev_conv377.jsonl eval/dev_conv378.jsonl eval/dev_conv379.jsonl eval/dev_conv380.jsonl eval/dev_conv381.jsonl eval/dev_conv382.jsonl eval/dev_conv383.jsonl eval/dev_conv384.jsonl eval/dev_conv385.jsonl eval/dev_conv386.jsonl eval/dev_conv387.jsonl eval/dev_conv388.jsonl eval/dev_conv389.jsonl eval/dev_conv390.jsonl eval/dev_conv391.jsonl eval/dev_conv392.jsonl eval/dev_conv393.jsonl eval/dev_conv394.jsonl eval/dev_conv395.jsonl eval/dev_conv396.jsonl eval/dev_conv397.jsonl eval/dev_conv398.jsonl eval/dev_conv399.jsonl eval/dev_conv400.jsonl eval/dev_conv401.jsonl eval/dev_conv402.jsonl eval/dev_conv403.jsonl eval/dev_conv404.jsonl eval/dev_conv405.jsonl eval/dev_conv406.jsonl eval/dev_conv407.jsonl eval/dev_conv408.jsonl eval/dev_conv409.jsonl eval/dev_conv410.jsonl eval/dev_conv411.jsonl eval/dev_conv412.jsonl eval/dev_conv413.jsonl eval/dev_conv414.jsonl eval/dev_conv415.jsonl eval/dev_conv416.jsonl eval/dev_conv417.jsonl eval/dev_conv418.jsonl eval/dev_conv419.jsonl eval/dev_conv420.jsonl eval/dev_conv421.jsonl eval/dev_conv422.jsonl eval/dev_conv423.jsonl eval/dev_conv424.jsonl eval/dev_conv425.jsonl eval/dev_conv426.jsonl eval/dev_conv427.jsonl eval/dev_conv428.jsonl eval/dev_conv429.jsonl eval/dev_conv430.jsonl eval/dev_conv431.jsonl eval/dev_conv432.jsonl eval/dev_conv433.jsonl eval/dev_conv434.jsonl eval/dev_conv435.jsonl eval/dev_conv436.jsonl eval/dev_conv437.jsonl eval/dev_conv438.jsonl eval/dev_conv439.jsonl eval/dev_conv440.jsonl eval/dev_conv441.jsonl eval/dev_conv442.jsonl eval/dev_conv443.jsonl eval/dev_conv444.jsonl eval/dev_conv445.jsonl eval/dev_conv446.jsonl eval/dev_conv447.jsonl eval/dev_conv448.jsonl eval/dev_conv449.jsonl eval/dev_conv450.jsonl eval/dev_conv451.jsonl eval/dev_conv452.jsonl eval/dev_conv453.jsonl eval/dev_conv454.jsonl eval/test.jsonl \
		../shared/eval/faq_dev.jsonl ../shared/eval/conv_dev.jsonl --report eval/reports/latest

calibrate: install  # every profile: with the cross-lingual channel (default) and without it
	$(VENV)/bin/kbqa calibrate
	KBQA_CROSSLINGUAL=none $(VENV)/bin/kbqa calibrate

bench: $(TORCHSTAMP)
	$(VENV)/bin/kbqa bench --report eval/reports/bench

stress: install
	$(VENV)/bin/kbqa bench --stress

sizing: install
	$(PY) -m kbqa.devtools.bench.sizing

clean:
	rm -rf $(VENV) .kbqa
